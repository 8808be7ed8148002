package io.kafkalab.segment;

import static io.kafkalab.segment.SegmentFixtures.record;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kafkalab.consumer.MutableClock;
import io.kafkalab.segment.SegmentFixtures.Segment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * A {@link Reassembler} fed arbitrary sequences of records on three partitions: segments of real messages in any
 * order with duplicates, forged segments (any id, index, count, size, CRC, value), raw header bytes, plain records,
 * clock moves and expiry, under small random limits. After every step:
 *
 * <ul>
 *   <li>nothing but the documented results comes out: {@link Reassembler#add} never throws;</li>
 *   <li>the buffer, by the reassembler's own accounting ({@link ReassemblyStats#bufferedBytes()}), stays within
 *       {@link ReassemblyConfig#maxBufferedBytes()};</li>
 *   <li>a delivered message has the size and CRC32C its headers declare, is delivered once, each of its segments
 *       gives back the bytes fed at its partition and offset, and one made only of a real message's segments is the
 *       message the target split, byte for byte.</li>
 * </ul>
 * At the end, once everything incomplete has expired, every record fed is accounted for exactly once: in a
 * delivered message, in a drop report, or as a counted duplicate. Nothing disappears silently.
 *
 * <p>Without {@code JAZZER_FUZZ} this runs the committed inputs under
 * {@code src/test/resources/io/kafkalab/segment/ReassemblerFuzzTestInputs/} as regression tests.
 */
class ReassemblerFuzzTest {

    private static final String TOPIC = "t";
    private static final Duration MAX_AGE = Duration.ofMinutes(1);
    private static final String[] KEYS = {SegmentHeader.VERSION, SegmentHeader.MESSAGE_ID, SegmentHeader.INDEX,
            SegmentHeader.COUNT, SegmentHeader.TOTAL_SIZE, SegmentHeader.CRC32C};

    @FuzzTest(maxDuration = "10s")
    void anySequenceOfRecordsKeepsTheLimitsAndLosesNothing(FuzzedDataProvider data) {
        // counted down from generous limits, so that short inputs (whose numbers come out as 0) still get messages
        // through and the fuzzer works its way down to the tight ones
        long maxBuffered = 16 * 1024 - data.consumeLong(0, 16 * 1024 - 1);
        ReassemblyConfig config = ReassemblyConfig.custom()
                .maxBufferedBytes(maxBuffered)
                .maxMessageBytes(maxBuffered - data.consumeLong(0, maxBuffered))
                .maxSegmentCount(40 - data.consumeInt(0, 39))
                .maxOffsetDistance(500 - data.consumeLong(0, 499))
                .maxAge(MAX_AGE)
                .clock(new MutableClock())
                .progress(p -> {
                    assertThat(p.received()).isBetween(1, p.segmentCount());
                    assertThat(p.receivedBytes()).isBetween(0L, p.totalSize());
                })
                .build();
        new Run(config, data).run();
    }

    /** One sequence: what went in, what came out. */
    private static final class Run {
        private final ReassemblyConfig config;
        private final FuzzedDataProvider data;
        private final Reassembler reassembler;
        private final MutableClock clock;
        /** Messages split the way SegmentingProducer splits them. */
        private final List<List<Segment>> real = new ArrayList<>();
        private final Map<UUID, byte[]> originals = new HashMap<>();
        /** Every record fed, by partition and offset: the bytes it carried, to compare what comes out against. */
        private final Map<List<Long>, byte[]> fedValues = new HashMap<>();
        /** The partitions and offsets of records that were a real message's segments. */
        private final Set<List<Long>> realRecords = new HashSet<>();
        private final long[] nextOffset = new long[3];
        private final Set<List<Object>> delivered = new HashSet<>();
        private long fed;
        private long accounted;

        Run(ReassemblyConfig config, FuzzedDataProvider data) {
            this.config = config;
            this.data = data;
            this.reassembler = new Reassembler(config);
            this.clock = (MutableClock) config.clock();
        }

        void run() {
            int messages = data.consumeInt(0, 4);
            for (int m = 0; m < messages; m++) {
                byte[] bytes = data.consumeBytes(data.consumeInt(0, 600));
                List<Segment> segments = SegmentFixtures.segments(bytes, data.consumeInt(1, 200), null);
                real.add(segments);
                originals.put(segments.get(0).id(), bytes);
            }
            int steps = data.consumeInt(0, 300);
            for (int i = 0; i < steps && data.remainingBytes() > 0; i++) {
                switch (data.consumeInt(0, 7)) {
                    case 0, 1, 2 -> feedReal();
                    case 3 -> feed(data.consumeBytes(data.consumeInt(0, 300)), forgedHeaders());
                    case 4 -> feed(data.consumeBytes(data.consumeInt(0, 300)), rawHeaders());
                    case 5 -> feed(data.consumeBoolean() ? null : data.consumeBytes(50), new RecordHeaders());
                    case 6 -> clock.advance(Duration.ofMillis(data.consumeLong(0, 2 * MAX_AGE.toMillis())));
                    default -> reassembler.expire().forEach(this::dropped);
                }
                checkBuffer();
            }
            clock.advance(MAX_AGE.plusSeconds(1));
            reassembler.expire().forEach(this::dropped);
            ReassemblyStats stats = reassembler.stats();
            assertThat(stats.incompleteMessages()).isZero();
            assertThat(stats.bufferedBytes()).isZero();
            assertThat(accounted + stats.duplicateSegments())
                    .as("every record fed is delivered, reported dropped or counted as a duplicate").isEqualTo(fed);
        }

        private void feedReal() {
            if (real.isEmpty()) {
                return;
            }
            List<Segment> segments = data.pickValue(real);
            Segment s = segments.get(data.consumeInt(0, segments.size() - 1));
            feed(s.value(), copy(s.headers()), true);
        }

        private void feed(byte[] value, RecordHeaders headers) {
            feed(value, headers, false);
        }

        /** Feeds one record; {@code real}: one of a real message's segments (marked before the reassembler sees it). */
        private void feed(byte[] value, RecordHeaders headers, boolean real) {
            int partition = data.consumeInt(0, 2);
            long offset = nextOffset[partition];
            nextOffset[partition] += data.consumeInt(1, 200);
            ConsumerRecord<byte[], byte[]> r = record(TOPIC, partition, offset, null, value, headers);
            fed++;
            fedValues.put(at(r), value == null ? null : value.clone());
            if (real) {
                realRecords.add(at(r));
            }
            Reassembler.Result result = reassembler.add(r);
            result.dropped().forEach(this::dropped);
            if (result.message() != null) {
                delivered(result.message());
            }
        }

        private void delivered(AssembledMessage m) {
            accounted += m.segments().size();
            assertThat(m.segments()).hasSize(m.segmentCount());
            if (m.messageId() == null) {
                assertThat(m.segments()).singleElement().satisfies(r -> assertThat(r.value()).isSameAs(m.value()));
                return;
            }
            assertThat(delivered.add(List.of(m.partition(), m.messageId()))).as("delivered once").isTrue();
            SegmentHeader h = SegmentHeader.read(m.segments().get(0).headers());
            assertThat((long) m.value().length).isEqualTo(h.totalSize());
            assertThat(Segments.crc32c(m.value())).isEqualTo(h.crc32c());
            long sum = 0;
            for (int i = 0; i < m.segments().size(); i++) {
                ConsumerRecord<byte[], byte[]> part = m.segments().get(i);
                assertThat(SegmentHeader.read(part.headers()).index()).isEqualTo(i);
                assertThat(part.partition()).isEqualTo(m.partition().partition());
                assertThat(part.value()).as("segment %d's bytes given back", i).isEqualTo(fedValues.get(at(part)));
                sum += part.value().length;
            }
            assertThat(sum).isEqualTo(h.totalSize());
            if (m.segments().stream().allMatch(part -> realRecords.contains(at(part)))) {
                assertThat(m.value()).as("a message made of real segments is the message sent")
                        .isEqualTo(originals.get(m.messageId()));
            }
        }

        private static List<Long> at(ConsumerRecord<byte[], byte[]> r) {
            return List.of((long) r.partition(), r.offset());
        }

        private void dropped(DroppedMessage d) {
            accounted += d.segments().size();
            assertThat(d.reason()).isNotNull();
            assertThat(d.segments()).isNotEmpty().hasSize(d.receivedSegments());
            assertThat(d.detail()).isNotBlank();
        }

        private void checkBuffer() {
            ReassemblyStats stats = reassembler.stats();
            assertThat(stats.bufferedBytes()).isBetween(0L, config.maxBufferedBytes());
            for (int p = 0; p < nextOffset.length; p++) {
                TopicPartition tp = new TopicPartition(TOPIC, p);
                long next = nextOffset[p];
                reassembler.safeOffset(tp).ifPresent(o -> assertThat(o).isLessThan(next));
            }
        }

        /** Segment headers with any values: a real id or a new one, any index, count, size and CRC. */
        private RecordHeaders forgedHeaders() {
            UUID id = !real.isEmpty() && data.consumeBoolean() ? data.pickValue(real).get(0).id()
                    : new UUID(0, data.consumeInt(0, 3));
            long total = data.consumeBoolean() ? data.consumeLong(-1, 2 * config.maxMessageBytes() + 2)
                    : data.consumeLong();
            RecordHeaders h = new RecordHeaders();
            put(h, SegmentHeader.VERSION, data.consumeBoolean() ? "1" : String.valueOf(data.consumeInt()));
            put(h, SegmentHeader.MESSAGE_ID, id.toString());
            put(h, SegmentHeader.INDEX, String.valueOf(data.consumeInt(-1, 50)));
            put(h, SegmentHeader.COUNT, String.valueOf(data.consumeInt(-1, 50)));
            put(h, SegmentHeader.TOTAL_SIZE, String.valueOf(total));
            put(h, SegmentHeader.CRC32C, String.format("%08x", data.consumeInt()));
            return h;
        }

        /** Some of the segment header keys with arbitrary bytes. */
        private RecordHeaders rawHeaders() {
            RecordHeaders h = new RecordHeaders();
            int n = data.consumeInt(1, 8);
            for (int i = 0; i < n; i++) {
                h.add(data.pickValue(KEYS), data.consumeBoolean() ? null : data.consumeBytes(data.consumeInt(0, 70)));
            }
            return h;
        }

        private static void put(RecordHeaders h, String key, String value) {
            h.add(key, value.getBytes(StandardCharsets.UTF_8));
        }

        private static RecordHeaders copy(RecordHeaders headers) {
            return new RecordHeaders(headers.toArray());
        }
    }
}
