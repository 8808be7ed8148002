package io.kafkalab.segment;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/** Segment records built the way SegmentingProducer builds them, without a broker. */
final class SegmentFixtures {

    private SegmentFixtures() {
    }

    /** An unsent segment: offset assigned when "written" to a partition. */
    record Segment(UUID id, byte[] key, byte[] value, RecordHeaders headers) {
    }

    static List<Segment> segments(byte[] data, int maxSegmentBytes, byte[] key) {
        UUID id = UUID.randomUUID();
        List<byte[]> parts = Segments.split(data, maxSegmentBytes);
        List<Segment> out = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            RecordHeaders h = new RecordHeaders();
            new SegmentHeader(1, id, i, parts.size(), data.length, Segments.crc32c(data)).writeTo(h);
            out.add(new Segment(id, key, parts.get(i), h));
        }
        return out;
    }

    static ConsumerRecord<byte[], byte[]> record(String topic, int partition, long offset, Segment s) {
        return record(topic, partition, offset, s.key(), s.value(), s.headers());
    }

    static ConsumerRecord<byte[], byte[]> record(String topic, int partition, long offset, byte[] key, byte[] value,
                                                 RecordHeaders headers) {
        return new ConsumerRecord<>(topic, partition, offset, 1_700_000_000_000L + offset, TimestampType.CREATE_TIME,
                key == null ? -1 : key.length, value == null ? -1 : value.length, key, value, headers,
                Optional.empty());
    }
}
