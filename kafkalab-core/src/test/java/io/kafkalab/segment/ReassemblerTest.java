package io.kafkalab.segment;

import static io.kafkalab.segment.SegmentFixtures.record;
import static io.kafkalab.segment.SegmentFixtures.segments;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kafkalab.segment.SegmentFixtures.Segment;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class ReassemblerTest {

    private static final String TOPIC = "t";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);

    /** Feeds segments in the given order as one partition; returns what completed, keyed by message id. */
    private static Map<UUID, AssembledMessage> feed(Reassembler r, List<Segment> order, List<DroppedMessage> drops) {
        Map<UUID, AssembledMessage> done = new HashMap<>();
        long offset = 0;
        for (Segment s : order) {
            Reassembler.Result result = r.add(record(TOPIC, 0, offset++, s));
            drops.addAll(result.dropped());
            if (result.message() != null) {
                assertThat(done.put(result.message().messageId(), result.message())).as("delivered once").isNull();
            }
        }
        return done;
    }

    @RepeatedTest(20)
    void reassemblesShuffledDuplicatedInterleavedMessagesByteExact() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Map<UUID, byte[]> originals = new HashMap<>();
        List<Segment> all = new ArrayList<>();
        int messages = 1 + random.nextInt(8);
        for (int m = 0; m < messages; m++) {
            int size = random.nextInt(10) == 0 ? 0 : random.nextInt(random.nextBoolean() ? 3_000_000 : 5_000);
            byte[] data = new byte[size];
            random.nextBytes(data);
            // segments of 1 byte up to 400 KB, but at most about 2 000 per message
            int segmentSize = Math.max(1 + size / 2_000, 1 + random.nextInt(random.nextBoolean() ? 100 : 400_000));
            List<Segment> segs = segments(data, segmentSize, ("key-" + m).getBytes(StandardCharsets.UTF_8));
            originals.put(segs.get(0).id(), data);
            all.addAll(segs);
            for (int d = 0; d < random.nextInt(3); d++) {
                all.add(segs.get(random.nextInt(segs.size()))); // a retried, duplicated segment
            }
        }
        Collections.shuffle(all, random);
        List<DroppedMessage> drops = new ArrayList<>();
        Reassembler reassembler = new Reassembler(ReassemblyConfig.ofDefaults());
        Map<UUID, AssembledMessage> done = feed(reassembler, all, drops);

        assertThat(drops).as("seed %d", seed).isEmpty();
        assertThat(done.keySet()).as("seed %d", seed).isEqualTo(originals.keySet());
        originals.forEach((id, data) -> assertThat(done.get(id).value()).as("seed %d", seed).isEqualTo(data));
        assertThat(reassembler.stats().incompleteMessages()).isZero();
        assertThat(reassembler.stats().bufferedBytes()).isZero();
        assertThat(reassembler.safeOffset(TP)).isEmpty();
    }

    @Test
    void aFlippedBitIsReportedAsCorruptAndNeverDelivered() {
        byte[] data = new byte[10_000];
        new Random(7).nextBytes(data);
        List<Segment> segs = new ArrayList<>(segments(data, 1000, null));
        byte[] tampered = segs.get(4).value().clone();
        tampered[123] ^= 0x10;
        segs.set(4, new Segment(segs.get(4).id(), null, tampered, segs.get(4).headers()));
        List<DroppedMessage> drops = new ArrayList<>();
        Map<UUID, AssembledMessage> done = feed(new Reassembler(ReassemblyConfig.ofDefaults()), segs, drops);
        assertThat(done).isEmpty();
        assertThat(drops).singleElement().satisfies(d -> {
            assertThat(d.reason()).isEqualTo(DropReason.CORRUPT);
            assertThat(d.segments()).hasSize(10);
            assertThat(d.detail()).startsWith("CRC32C ");
        });
    }

    @Test
    void tenKilobytesOfCyrillicInHundredByteSegmentsAreEachValidUtf8AndComeBackIdentical() throws Exception {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 10_000) {
            sb.append("Съешь же ещё этих мягких французских булок, да выпей чаю. ");
        }
        String text = sb.toString();
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        assertThat(utf8.length).as("at least 10 KB of UTF-8").isGreaterThanOrEqualTo(10_240);
        List<byte[]> parts = Segments.splitUtf8(utf8, 100);
        for (byte[] part : parts) {
            assertThat(part.length).isLessThanOrEqualTo(100);
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(part)); // throws CharacterCodingException when a code point is cut
        }
        assertThat(parts.size()).isGreaterThanOrEqualTo(utf8.length / 100);
        // and the reassembler puts the 100-byte segments back together
        List<Segment> segs = new ArrayList<>();
        UUID id = UUID.randomUUID();
        for (int i = 0; i < parts.size(); i++) {
            RecordHeaders h = new RecordHeaders();
            new SegmentHeader(1, id, i, parts.size(), utf8.length, Segments.crc32c(utf8)).writeTo(h);
            segs.add(new Segment(id, null, parts.get(i), h));
        }
        Map<UUID, AssembledMessage> done = feed(new Reassembler(ReassemblyConfig.ofDefaults()), segs, new ArrayList<>());
        assertThat(new String(done.get(id).value(), StandardCharsets.UTF_8)).isEqualTo(text);
        assertThat(new String(concat(parts), StandardCharsets.UTF_8)).isEqualTo(text);
    }

    @Test
    void charactersAsAReaderSeesThemAreNeverCut() throws CharacterCodingException {
        // a hand with a skin tone (8 bytes), a flag (8), a family joined by zero-width joiners (18), e + accent (3)
        String hand = "\uD83D\uDC4B\uD83C\uDFFD";
        String flag = "\uD83C\uDDFA\uD83C\uDDE6";
        String family = "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67";
        String accented = "e\u0301";
        assertThat(strictUtf8(Segments.splitUtf8((hand + flag + family).getBytes(StandardCharsets.UTF_8), 18)))
                .containsExactly(hand + flag, family);
        String text = ("Hi " + hand + " " + flag + family + " caf" + accented + " ").repeat(20);
        for (int max : new int[] {18, 19, 20, 25, 31}) {
            List<byte[]> parts = Segments.splitUtf8(text.getBytes(StandardCharsets.UTF_8), max);
            List<String> clusters = new ArrayList<>();
            for (String part : strictUtf8(parts)) {
                assertThat(part.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(max);
                clusters.addAll(graphemes(part));
            }
            assertThat(clusters).as("the characters of the segments of at most %d bytes", max)
                    .isEqualTo(graphemes(text));
        }
        assertThatThrownBy(() -> Segments.splitUtf8(new byte[8], 3))
                .hasMessage("maxSegmentBytes must be >= 4, but was 3");
    }

    @Test
    void aCharacterLongerThanASegmentStartsOneAndIsCutBetweenItsCodePoints() throws CharacterCodingException {
        String family = "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67"; // 4 + 3 + 4 + 3 + 4 bytes

        List<byte[]> parts = Segments.splitUtf8(("a" + family + "b").getBytes(StandardCharsets.UTF_8), 7);

        assertThat(strictUtf8(parts)).containsExactly("a", "\uD83D\uDC68\u200D", "\uD83D\uDC69\u200D",
                "\uD83D\uDC67b");
    }

    @Test
    void asciiIsCutExactlyAsItsGraphemeClustersWouldBe() throws CharacterCodingException {
        Random random = new Random(11);
        String alphabet = "ab \r\n\t\u0000~";
        for (int n = 0; n < 500; n++) {
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(60); i > 0; i--) {
                text.append(random.nextInt(3) == 0 ? "\r\n" : String.valueOf(alphabet.charAt(random.nextInt(8))));
            }
            int max = 4 + random.nextInt(9);
            byte[] utf8 = text.toString().getBytes(StandardCharsets.UTF_8);

            List<byte[]> parts = Segments.splitUtf8(utf8, max);

            assertThat(strictUtf8(parts)).as("%s in %d", text, max).isEqualTo(packedClusters(text.toString(), max));
            assertThat(parts).allSatisfy(p -> assertThat(p).isNotSameAs(utf8));
        }
    }

    @Test
    void textThatFitsIsOneSegmentACopy() {
        byte[] utf8 = "caf\u00e9 \uD83C\uDDEB\uD83C\uDDF7".getBytes(StandardCharsets.UTF_8);

        List<byte[]> parts = Segments.splitUtf8(utf8, utf8.length);

        assertThat(parts).hasSize(1);
        assertThat(parts.get(0)).isEqualTo(utf8).isNotSameAs(utf8);
    }

    /** The oracle: grapheme clusters packed greedily, none longer than a segment here. */
    private static List<String> packedClusters(String text, int max) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String cluster : graphemes(text)) {
            if (current.length() + cluster.length() > max) {
                out.add(current.toString());
                current.setLength(0);
            }
            current.append(cluster);
        }
        if (current.length() > 0 || out.isEmpty()) {
            out.add(current.toString());
        }
        return out;
    }

    @Test
    void utf8LengthIsWhatTheEncoderWrites() {
        List<String> texts = new ArrayList<>(List.of("", "ascii", "caf\u00e9", "\u20ac100", "\uD83D\uDC68\u200D\uD83D\uDC69",
                "lone \uD800 high", "lone \uDC00 low", "end \uD83D", "\uDC00\uD800 reversed"));
        Random random = new Random(7);
        for (int n = 0; n < 200; n++) { // random chars, surrogates and their halves included
            char[] chars = new char[random.nextInt(20)];
            for (int i = 0; i < chars.length; i++) {
                chars[i] = (char) random.nextInt(Character.MAX_VALUE + 1);
            }
            texts.add(new String(chars));
        }
        for (String text : texts) {
            assertThat(Segments.utf8Length(text)).as(text).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length);
        }
    }

    /** Each part decoded on its own by a decoder that refuses malformed input. */
    static List<String> strictUtf8(List<byte[]> parts) throws CharacterCodingException {
        List<String> out = new ArrayList<>();
        for (byte[] part : parts) {
            out.add(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(part)).toString());
        }
        return out;
    }

    private static List<String> graphemes(String text) {
        return java.util.regex.Pattern.compile("\\X").matcher(text).results()
                .map(java.util.regex.MatchResult::group).toList();
    }

    @Test
    void recordsWithoutSegmentHeadersPassThrough() {
        Reassembler r = new Reassembler(ReassemblyConfig.ofDefaults());
        Reassembler.Result result = r.add(record(TOPIC, 0, 5, "k".getBytes(), "plain".getBytes(), new RecordHeaders()));
        assertThat(result.message().messageId()).isNull();
        assertThat(result.message().value()).isEqualTo("plain".getBytes());
        assertThat(result.message().segmentCount()).isEqualTo(1);
        assertThat(r.stats().passedThrough()).isEqualTo(1);
    }

    @Test
    void safeOffsetIsTheFirstSegmentOfTheOldestIncompleteMessage() {
        Reassembler r = new Reassembler(ReassemblyConfig.ofDefaults());
        List<Segment> a = segments(new byte[30], 10, null);
        List<Segment> b = segments(new byte[20], 10, null);
        r.add(record(TOPIC, 0, 10, a.get(0)));
        r.add(record(TOPIC, 0, 11, b.get(0)));
        assertThat(r.safeOffset(TP)).hasValue(10);
        r.add(record(TOPIC, 0, 12, a.get(1)));
        assertThat(r.add(record(TOPIC, 0, 13, a.get(2))).message()).isNotNull();
        assertThat(r.safeOffset(TP)).as("a is complete; b, from offset 11, is not").hasValue(11);
        assertThat(r.add(record(TOPIC, 0, 14, b.get(1))).message()).isNotNull();
        assertThat(r.safeOffset(TP)).isEmpty();
    }

    @Test
    void aFloodOfNeverCompletedMessagesStaysUnderTheByteBoundAndEveryEvictionIsReported() {
        long bound = 1_000_000;
        Reassembler r = new Reassembler(ReassemblyConfig.custom().maxBufferedBytes(bound).build());
        List<DroppedMessage> drops = new ArrayList<>();
        int messages = 5_000;
        long offset = 0;
        long maxSeen = 0;
        for (int m = 0; m < messages; m++) {
            List<Segment> segs = segments(new byte[10_000], 1_000, null); // 10 segments; only 9 are ever sent
            for (Segment s : segs.subList(0, 9)) {
                drops.addAll(r.add(record(TOPIC, m % 3, offset++, s)).dropped());
                maxSeen = Math.max(maxSeen, r.stats().bufferedBytes());
            }
        }
        assertThat(maxSeen).isLessThanOrEqualTo(bound);
        assertThat(drops).allSatisfy(d -> assertThat(d.reason()).isEqualTo(DropReason.EVICTED));
        assertThat(drops.size() + r.stats().incompleteMessages()).as("every message evicted or still held")
                .isEqualTo(messages);
        assertThat(r.stats().dropped(DropReason.EVICTED)).isEqualTo(drops.size());
        assertThat(drops.get(0).detail()).contains("missing segment 9");
    }

    @Test
    void forgedHeadersAreRejectedWithoutAllocatingTheClaimedSize() {
        Reassembler r = new Reassembler(ReassemblyConfig.ofDefaults());
        UUID id = UUID.randomUUID();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        List<DroppedMessage> drops = new ArrayList<>();
        drops.addAll(r.add(forged(0, id, "0", "2147483647", "2147483000")).dropped()); // count over the limit
        drops.addAll(r.add(forged(1, UUID.randomUUID(), "0", "3", "9223372036854775807")).dropped()); // total > limit
        drops.addAll(r.add(forged(2, UUID.randomUUID(), "5", "3", "100")).dropped()); // index >= count
        drops.addAll(r.add(forged(3, UUID.randomUUID(), "-1", "3", "100")).dropped()); // negative index
        drops.addAll(r.add(forged(4, UUID.randomUUID(), "0", "0", "100")).dropped()); // count 0
        drops.addAll(r.add(forged(5, UUID.randomUUID(), "0", "2", "2")).dropped()); // segment larger than message
        drops.addAll(r.add(forged(6, UUID.randomUUID(), "x", "2", "100")).dropped()); // not a number
        long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;

        assertThat(drops).hasSize(7);
        assertThat(drops).extracting(DroppedMessage::reason).containsExactly(DropReason.INVALID, DropReason.TOO_LARGE,
                DropReason.INVALID, DropReason.INVALID, DropReason.INVALID, DropReason.INVALID, DropReason.INVALID);
        assertThat(allocated).as("bytes allocated for messages claiming up to 2^63 bytes").isLessThan(1_000_000);
        assertThat(r.stats().bufferedBytes()).isZero();
        assertThat(drops.get(0).detail()).isEqualTo("count 2147483647 is over the limit of 100000");
        assertThat(drops.get(2).detail()).isEqualTo("kafkalab.segment.index 5 is not below kafkalab.segment.count 3");
    }

    @Test
    void aForgedSegmentClaimingTooMuchDoesNotSilentlyDiscardTheMessageItNames() {
        // found by ReassemblerFuzzTest (crash-38c06494...): the incomplete message was forgotten without a report
        Reassembler r = new Reassembler(ReassemblyConfig.custom().maxBufferedBytes(1000).build());
        List<Segment> message = segments("two segments".getBytes(StandardCharsets.UTF_8), 6, null);
        UUID id = message.get(0).id();
        assertThat(r.add(record(TOPIC, 0, 0, message.get(0))).dropped()).isEmpty();

        List<DroppedMessage> drops = r.add(forged(1, id, "1", "2", "5000")).dropped();

        assertThat(drops).singleElement().satisfies(d -> {
            assertThat(d.segments()).extracting(ConsumerRecord::offset).containsExactly(1L);
            assertThat(d.detail()).startsWith("headers conflict with earlier segments");
        });
        assertThat(r.stats().incompleteMessages()).isEqualTo(1);
        Reassembler.Result last = r.add(record(TOPIC, 0, 2, message.get(1)));
        assertThat(last.message().value()).asString(StandardCharsets.UTF_8).isEqualTo("two segments");
        assertThat(last.message().segments()).extracting(ConsumerRecord::offset).containsExactly(0L, 2L);
    }

    @Test
    void anUnsupportedVersionIsInvalidAndTheMessageNamesTheHeader() {
        // found by SegmentHeaderFuzzTest (crash-1e47980c...): every other header error names its header, this did not
        RecordHeaders h = new RecordHeaders();
        new SegmentHeader(1, UUID.randomUUID(), 0, 1, 0, 0).writeTo(h);
        h.remove(SegmentHeader.VERSION);
        h.add(SegmentHeader.VERSION, "4".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> SegmentHeader.read(h)).isInstanceOf(InvalidSegmentException.class)
                .hasMessage("kafkalab.segment.version 4 is not supported (this code reads 1)");
    }

    @Test
    void sizesThatDoNotAddUpAndConflictingHeadersAreInvalid() {
        Reassembler r = new Reassembler(ReassemblyConfig.ofDefaults());
        UUID id = UUID.randomUUID();
        List<DroppedMessage> drops = new ArrayList<>();
        // claims 10 bytes in 2 segments, but sends 3 + 3
        drops.addAll(r.add(forged(0, id, "0", "2", "10", new byte[3])).dropped());
        drops.addAll(r.add(forged(1, id, "1", "2", "10", new byte[3])).dropped());
        assertThat(drops).singleElement().satisfies(d -> {
            assertThat(d.reason()).isEqualTo(DropReason.INVALID);
            assertThat(d.detail()).startsWith("sizes do not add up");
            assertThat(d.segments()).hasSize(2);
        });
        UUID other = UUID.randomUUID();
        drops.clear();
        drops.addAll(r.add(forged(2, other, "0", "3", "9", new byte[3])).dropped());
        drops.addAll(r.add(forged(3, other, "1", "4", "9", new byte[3])).dropped());
        assertThat(drops).singleElement().satisfies(d -> assertThat(d.detail()).startsWith("headers conflict"));
    }

    @Test
    void incompleteMessagesExpireByAgeAndByOffsetDistanceAndSayWhatIsMissing() {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
        Clock clock = new Clock() {
            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        Reassembler r = new Reassembler(ReassemblyConfig.custom().clock(clock).maxAge(Duration.ofMinutes(1))
                .maxOffsetDistance(100).build());
        List<Segment> old = segments(new byte[30], 10, null);
        r.add(record(TOPIC, 0, 0, old.get(1))); // a consumer that starts mid-message: segment 0 never read
        now.set(now.get().plusSeconds(61));
        List<DroppedMessage> expired = r.expire();
        assertThat(expired).singleElement().satisfies(d -> {
            assertThat(d.reason()).isEqualTo(DropReason.EXPIRED);
            assertThat(d.detail()).contains("missing segments 0,2").contains("the first segment was never read");
        });

        List<Segment> far = segments(new byte[30], 10, null);
        r.add(record(TOPIC, 1, 0, far.get(0)));
        List<DroppedMessage> byDistance = r.add(record(TOPIC, 1, 101, "k".getBytes(), "x".getBytes(),
                new RecordHeaders())).dropped();
        assertThat(byDistance).singleElement().satisfies(d -> assertThat(d.detail())
                .startsWith("first segment 101 offsets behind the partition"));
        // a later segment of an expired message is reported too, not silently ignored
        assertThat(r.add(record(TOPIC, 1, 102, far.get(1))).dropped()).singleElement()
                .satisfies(d -> assertThat(d.detail()).isEqualTo("a later segment of a message already dropped"));
    }

    @Test
    void configNamesTheFieldAndTheBadValue() {
        assertThatThrownBy(() -> ReassemblyConfig.custom().maxBufferedBytes(0).build())
                .hasMessage("maxBufferedBytes must be >= 1, but was 0");
        assertThatThrownBy(() -> ReassemblyConfig.custom().maxBufferedBytes(10).maxMessageBytes(11).build())
                .hasMessageStartingWith("maxMessageBytes must be between 0 and maxBufferedBytes (10");
        assertThatThrownBy(() -> ReassemblyConfig.custom().maxAge(Duration.ZERO).build())
                .hasMessage("maxAge must be > 0, but was PT0S");
    }

    private static ConsumerRecord<byte[], byte[]> forged(long offset, UUID id, String index, String count, String total) {
        return forged(offset, id, index, count, total, new byte[3]);
    }

    private static ConsumerRecord<byte[], byte[]> forged(long offset, UUID id, String index, String count, String total,
                                                         byte[] value) {
        RecordHeaders h = new RecordHeaders();
        h.add(SegmentHeader.VERSION, "1".getBytes());
        h.add(SegmentHeader.MESSAGE_ID, id.toString().getBytes());
        h.add(SegmentHeader.INDEX, index.getBytes());
        h.add(SegmentHeader.COUNT, count.getBytes());
        h.add(SegmentHeader.TOTAL_SIZE, total.getBytes());
        h.add(SegmentHeader.CRC32C, "00000000".getBytes());
        return record(TOPIC, 0, offset, null, value, h);
    }

    private static byte[] concat(List<byte[]> parts) {
        int n = parts.stream().mapToInt(p -> p.length).sum();
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return Arrays.copyOf(out, at);
    }
}
