package io.kafkalab.segment;

import static io.kafkalab.segment.SegmentFixtures.record;
import static io.kafkalab.segment.SegmentFixtures.segments;
import static org.assertj.core.api.Assertions.assertThat;

import io.kafkalab.segment.SegmentFixtures.Segment;
import java.util.List;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * How the reassembler holds a message: one array of the declared size, charged when the first segment arrives;
 * segments copied into it in order and not kept; segments ahead of their turn held (and charged) until then.
 */
class ReassemblerMemoryTest {

    private static final int OVERHEAD = Reassembler.SEGMENT_OVERHEAD_BYTES;

    private static byte[] data(int size) {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        return data;
    }

    @Test
    void inOrderSegmentsAreCopiedIntoOneArrayChargedUpFrontAndGivenBackAsCopies() {
        byte[] data = data(250_000);
        List<Segment> parts = segments(data, 100_000, null);
        Reassembler r = new Reassembler(ReassemblyConfig.ofDefaults());
        List<ConsumerRecord<byte[], byte[]>> records = List.of(record("t", 0, 0, parts.get(0)),
                record("t", 0, 1, parts.get(1)), record("t", 0, 2, parts.get(2)));

        assertThat(r.add(records.get(0)).message()).isNull();
        assertThat(r.stats().bufferedBytes()).as("the array, charged at once").isEqualTo(data.length);
        assertThat(r.add(records.get(1)).message()).isNull();
        assertThat(r.stats().bufferedBytes()).isEqualTo(data.length);
        AssembledMessage m = r.add(records.get(2)).message();

        assertThat(m.value()).isEqualTo(data);
        assertThat(r.stats().bufferedBytes()).isZero();
        assertThat(m.segments()).hasSize(3);
        for (int i = 0; i < 3; i++) {
            ConsumerRecord<byte[], byte[]> segment = m.segments().get(i);
            assertThat(segment.offset()).isEqualTo(i);
            assertThat(segment.headers()).isEqualTo(records.get(i).headers());
            assertThat(segment.serializedValueSize()).isEqualTo(records.get(i).value().length);
            // the bytes come back for a dead-letter topic as a copy of the slice, the received array is not kept
            assertThat(segment.value()).isEqualTo(records.get(i).value()).isNotSameAs(records.get(i).value());
        }
    }

    @Test
    void segmentsAheadOfTheirTurnAreHeldAndChargedUntilTheOnesBeforeThemArrive() {
        byte[] data = data(250_000);
        List<Segment> parts = segments(data, 100_000, null);
        Reassembler r = new Reassembler(ReassemblyConfig.ofDefaults());
        int last = parts.get(2).value().length;

        assertThat(r.add(record("t", 0, 0, parts.get(2))).message()).isNull();
        assertThat(r.stats().bufferedBytes()).isEqualTo(data.length + last);
        assertThat(r.add(record("t", 0, 1, parts.get(1))).message()).isNull();
        assertThat(r.stats().bufferedBytes()).isEqualTo(data.length + last + 100_000);
        AssembledMessage m = r.add(record("t", 0, 2, parts.get(0))).message();

        assertThat(m.value()).isEqualTo(data);
        assertThat(m.segments()).extracting(ConsumerRecord::offset).containsExactly(2L, 1L, 0L);
        assertThat(r.stats().bufferedBytes()).isZero();
    }

    @Test
    void aOneSegmentMessageIsHandedOverWithoutACopy() {
        byte[] data = data(1_000);
        ConsumerRecord<byte[], byte[]> only = record("t", 0, 0, segments(data, 100_000, null).get(0));

        AssembledMessage m = new Reassembler(ReassemblyConfig.ofDefaults()).add(only).message();

        assertThat(m.value()).isSameAs(only.value()).isEqualTo(data);
    }

    @Test
    void manyTinySegmentsAreChargedPerSegmentBeyondTheDeclaredSize() {
        byte[] data = data(1_000);
        List<Segment> parts = segments(data, 10, null);
        Reassembler r = new Reassembler(ReassemblyConfig.ofDefaults());
        for (int i = 0; i < 20; i++) {
            r.add(record("t", 0, i, parts.get(i)));
        }
        assertThat(r.stats().bufferedBytes()).isEqualTo(20L * OVERHEAD);
    }

    @Test
    void aMessageAsLargeAsTheBufferIsReceived() {
        byte[] data = data(400_000);
        List<Segment> parts = segments(data, 100_000, null);
        Reassembler r = new Reassembler(ReassemblyConfig.custom().maxBufferedBytes(data.length).build());
        AssembledMessage m = null;
        for (int i = 0; i < parts.size(); i++) {
            Reassembler.Result result = r.add(record("t", 0, i, parts.get(i)));
            assertThat(result.dropped()).isEmpty();
            m = result.message();
        }
        assertThat(m).isNotNull();
        assertThat(m.value()).isEqualTo(data);
    }
}
