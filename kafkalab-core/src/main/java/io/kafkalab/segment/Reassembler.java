package io.kafkalab.segment;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.zip.CRC32C;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Puts segmented messages back together, with no Kafka I/O of its own: feed it records of each partition in
 * offset order ({@link #add(ConsumerRecord)}); it hands back a message only when every segment is there and
 * the CRC32C of the whole matches.
 *
 * <ul>
 *   <li>Segments may arrive out of order, duplicated, and interleaved with any number of other messages from
 *       any number of producers. Records without segment headers pass through as one-segment messages.</li>
 *   <li>Memory is bounded in bytes ({@link ReassemblyConfig#maxBufferedBytes()}): past it the oldest
 *       incomplete message is evicted. Incomplete messages also expire by age (injected clock) and by offset
 *       distance. A message's array is allocated, at its declared size (within the limits), when its first
 *       segment arrives, and each segment is copied into it as soon as the ones before it are there, so a
 *       segment's bytes are held once, not twice: the peak for one message is its size plus the segments
 *       that arrived ahead of their turn. That allocation is charged to the buffer at once (see
 *       {@link #SEGMENT_OVERHEAD_BYTES}).</li>
 *   <li>Forged or broken headers (count out of range, total size over the limit, index beyond the count,
 *       sizes that do not add up, conflicting headers) are rejected before anything of the claimed size is
 *       allocated.</li>
 *   <li>Nothing is dropped silently: every evicted, expired, corrupt, invalid or too large message comes back
 *       as a {@link DroppedMessage} with its reason and its segments, and is counted in {@link #stats()}.</li>
 *   <li>{@link #safeOffset(TopicPartition)} is the offset a consumer may commit up to without losing an
 *       incomplete message: the first segment of the oldest one.</li>
 * </ul>
 *
 * <p>Not thread safe: one reassembler per consumer thread.
 */
public final class Reassembler {

    /**
     * Bytes charged at least per segment received, so that floods of tiny segments stay bounded: an incomplete
     * message is charged its declared size (its array) or this much per segment received, whichever is more,
     * plus the bytes of the segments held ahead of their turn.
     */
    public static final int SEGMENT_OVERHEAD_BYTES = 128;
    /** How many recently completed and recently dropped message ids are remembered (each). */
    private static final int DROPPED_IDS_REMEMBERED = 10_000;

    private final ReassemblyConfig config;
    private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();
    /** Every incomplete message, oldest first: the eviction and expiry order. */
    private final LinkedHashMap<Key, Partial> byAge = new LinkedHashMap<>();
    /** Ids of messages dropped recently, so their later segments are recognised and reported as such. */
    private final Map<Key, DropReason> droppedIds = recent();
    /** Ids of messages completed recently, so a late duplicate of one of their segments is not a new message. */
    private final Map<Key, Boolean> completedIds = recent();
    private long bufferedBytes;
    private long completed;
    private long passedThrough;
    private long duplicateSegments;
    private final Map<DropReason, Long> drops = new java.util.EnumMap<>(DropReason.class);

    /**
     * @param config limits and hooks
     */
    public Reassembler(ReassemblyConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * What one {@link #add} produced: at most one complete message, and any messages dropped meanwhile.
     *
     * @param message   the message it completed or passed through, or null
     * @param dropped   messages given up on meanwhile
     * @param discarded whether the record itself was discarded as a duplicate segment (counted in
     *                  {@link ReassemblyStats}): it is neither held nor part of a message
     */
    public record Result(AssembledMessage message, List<DroppedMessage> dropped, boolean discarded) {

        /** Copies the list. */
        public Result {
            dropped = List.copyOf(dropped);
        }

        /** A result without a discarded record. */
        public Result(AssembledMessage message, List<DroppedMessage> dropped) {
            this(message, dropped, false);
        }
    }

    /**
     * Adds the next record of a partition (records of one partition must come in offset order).
     *
     * @param record the record, raw bytes
     * @return the message it completed (or passed through), if any, and whatever was dropped on the way
     */
    public Result add(ConsumerRecord<byte[], byte[]> record) {
        Objects.requireNonNull(record, "record");
        List<DroppedMessage> dropped = new ArrayList<>(0);
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        PartitionState ps = partitions.computeIfAbsent(tp, k -> new PartitionState());
        ps.newest = Math.max(ps.newest, record.offset());
        expireByDistance(tp, ps, dropped);
        expireByAge(dropped);
        long duplicatesBefore = duplicateSegments;
        AssembledMessage message = accept(tp, ps, record, dropped);
        return new Result(message, dropped, duplicateSegments != duplicatesBefore);
    }

    /**
     * Expires incomplete messages older than the maximum age; call it when no records arrive (for example after
     * an empty poll), since {@link #add} checks only when records come.
     *
     * @return the messages that expired
     */
    public List<DroppedMessage> expire() {
        List<DroppedMessage> dropped = new ArrayList<>(0);
        expireByAge(dropped);
        return dropped;
    }

    /**
     * The offset up to which a consumer may commit this partition without losing an incomplete message.
     *
     * @param partition the partition
     * @return the first-segment offset of its oldest incomplete message, or empty when none is incomplete
     */
    public OptionalLong safeOffset(TopicPartition partition) {
        PartitionState ps = partitions.get(partition);
        if (ps == null || ps.partials.isEmpty()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(ps.partials.values().iterator().next().firstOffset);
    }

    /**
     * Forgets a partition, for example when it is revoked: its incomplete messages are dropped without a report,
     * because they were never committed past and whoever reads the partition next reads them again.
     *
     * @param partition the partition
     * @return how many incomplete messages were forgotten
     */
    public int forget(TopicPartition partition) {
        PartitionState ps = partitions.remove(partition);
        if (ps == null) {
            return 0;
        }
        for (Partial p : ps.partials.values()) {
            release(new Key(partition, p.id), p);
        }
        return ps.partials.size();
    }

    /** @return counters and the current buffer */
    public ReassemblyStats stats() {
        return new ReassemblyStats(bufferedBytes, byAge.size(), completed, passedThrough, duplicateSegments,
                drops);
    }

    // -------------------------------------------------------------------------------------------------

    private AssembledMessage accept(TopicPartition tp, PartitionState ps, ConsumerRecord<byte[], byte[]> r,
                                    List<DroppedMessage> dropped) {
        SegmentHeader h;
        try {
            h = SegmentHeader.read(r.headers());
        } catch (InvalidSegmentException e) {
            report(dropped, lone(null, tp, DropReason.INVALID, e.getMessage(), r, 0));
            return null;
        }
        if (h == null) {
            passedThrough++;
            return new AssembledMessage(null, tp, r.key(), r.value(), r.headers(), r.offset(), r.offset(), 1,
                    r.timestamp(), List.of(r));
        }
        Key key = new Key(tp, h.messageId());
        int length = r.value() == null ? -1 : r.value().length;
        // limits first: nothing of the claimed size is allocated for a message that breaks them
        String invalid = length < 0 ? "a segment without a value"
                : h.count() > config.maxSegmentCount() ? "count " + h.count() + " is over the limit of "
                        + config.maxSegmentCount()
                : length > h.totalSize() ? "a segment of " + length + " bytes in a message of " + h.totalSize()
                : null;
        if (invalid != null) {
            report(dropped, lone(h.messageId(), tp, DropReason.INVALID, invalid, r, h.count()));
            return null;
        }
        // an incomplete message it names was accepted within the limit: then this header conflicts with it (below),
        // and the message keeps its segments instead of losing them unreported
        if (h.totalSize() > config.maxMessageBytes() && !ps.partials.containsKey(h.messageId())) {
            rememberDropped(key, DropReason.TOO_LARGE);
            report(dropped, lone(h.messageId(), tp, DropReason.TOO_LARGE, "claims " + h.totalSize()
                    + " bytes, more than the limit of " + config.maxMessageBytes(), r, h.count()));
            return null;
        }
        DropReason earlier = droppedIds.get(key);
        Partial p = ps.partials.get(h.messageId());
        if (p == null && completedIds.containsKey(key)) {
            duplicateSegments++; // a retried segment of a message already delivered
            return null;
        }
        if (earlier != null && p == null) {
            report(dropped, lone(h.messageId(), tp, earlier, "a later segment of a message already dropped", r,
                    h.count()));
            return null;
        }
        if (h.count() == 1 && p == null) {
            return complete(tp, h, new Partial(h, r.offset(), config.clock().instant()), r, dropped);
        }
        if (p == null) {
            p = new Partial(h, r.offset(), config.clock().instant());
            ps.partials.put(h.messageId(), p);
            byAge.put(key, p);
        } else if (p.header.count() != h.count() || p.header.totalSize() != h.totalSize()
                || p.header.crc32c() != h.crc32c()) {
            report(dropped, lone(h.messageId(), tp, DropReason.INVALID, "headers conflict with earlier segments of the"
                    + " message (count " + h.count() + " vs " + p.header.count() + ", size " + h.totalSize() + " vs "
                    + p.header.totalSize() + ")", r, h.count()));
            return null;
        }
        if (p.parts.containsKey(h.index())) {
            duplicateSegments++;
            return null;
        }
        if (p.receivedBytes + length > h.totalSize()) {
            p.hold(h.index(), r, length);
            drop(key, p, ps, DropReason.INVALID, "sizes do not add up: more than " + h.totalSize()
                    + " bytes received", dropped);
            return null;
        }
        p.add(h.index(), r, length);
        long charge = p.charge();
        bufferedBytes += charge - p.charged;
        p.charged = charge;
        config.progress().accept(new SegmentProgress(h.messageId(), tp, p.parts.size(), h.count(), p.receivedBytes,
                h.totalSize()));
        if (p.parts.size() == h.count()) {
            ps.partials.remove(h.messageId());
            release(key, p);
            return complete(tp, h, p, null, dropped);
        }
        while (bufferedBytes > config.maxBufferedBytes() && !byAge.isEmpty()) {
            Map.Entry<Key, Partial> oldest = byAge.entrySet().iterator().next();
            Partial victim = oldest.getValue();
            drop(oldest.getKey(), victim, partitions.get(oldest.getKey().partition), DropReason.EVICTED,
                    "buffer full (" + config.maxBufferedBytes() + " bytes); " + missing(victim), dropped);
        }
        return null;
    }

    /** Checks a message whose segments are all there ({@code single} for a one-segment one). */
    private AssembledMessage complete(TopicPartition tp, SegmentHeader h, Partial p, ConsumerRecord<byte[], byte[]> single,
                                      List<DroppedMessage> dropped) {
        if (single != null) {
            p.hold(0, single, single.value().length);
        }
        Key key = new Key(tp, h.messageId());
        if (p.receivedBytes != h.totalSize()) {
            rememberDropped(key, DropReason.INVALID);
            report(dropped, toDropped(p, tp, DropReason.INVALID, "sizes do not add up: " + p.receivedBytes
                    + " bytes received, the headers say " + h.totalSize()));
            return null;
        }
        if (single == null && p.nextIndex != h.count()) { // cannot happen when the sizes add up; never deliver a gap
            rememberDropped(key, DropReason.INVALID);
            report(dropped, toDropped(p, tp, DropReason.INVALID, "segment sizes do not fit the declared size"));
            return null;
        }
        // every segment is in the array by now (each was copied once the ones before it were there); a
        // one-segment message is its record's own array, no copy
        byte[] whole = single != null ? single.value() : p.whole;
        int crc = single != null ? Segments.crc32c(whole) : (int) p.crc.getValue();
        if (crc != h.crc32c()) {
            rememberDropped(key, DropReason.CORRUPT);
            report(dropped, toDropped(p, tp, DropReason.CORRUPT, String.format("CRC32C %08x, the headers say %08x",
                    crc, h.crc32c())));
            return null;
        }
        completed++;
        completedIds.put(key, Boolean.TRUE);
        List<ConsumerRecord<byte[], byte[]>> ordered = p.segments(false);
        ConsumerRecord<byte[], byte[]> first = ordered.get(0);
        return new AssembledMessage(h.messageId(), tp, first.key(), whole, first.headers(), p.firstOffset,
                p.lastOffset, h.count(), first.timestamp(), ordered);
    }

    private void expireByDistance(TopicPartition tp, PartitionState ps, List<DroppedMessage> dropped) {
        Iterator<Partial> it = ps.partials.values().iterator();
        while (it.hasNext()) {
            Partial p = it.next();
            if (ps.newest - p.firstOffset <= config.maxOffsetDistance()) {
                break; // partials are in first-offset order
            }
            it.remove();
            Key key = new Key(tp, p.id);
            release(key, p);
            rememberDropped(key, DropReason.EXPIRED);
            report(dropped, toDropped(p, tp, DropReason.EXPIRED, "first segment " + (ps.newest - p.firstOffset)
                    + " offsets behind the partition, more than " + config.maxOffsetDistance() + "; " + missing(p)));
        }
    }

    private void expireByAge(List<DroppedMessage> dropped) {
        Instant limit = config.clock().instant().minus(config.maxAge());
        while (!byAge.isEmpty()) {
            Map.Entry<Key, Partial> oldest = byAge.entrySet().iterator().next();
            if (!oldest.getValue().firstSeen.isBefore(limit)) {
                break;
            }
            drop(oldest.getKey(), oldest.getValue(), partitions.get(oldest.getKey().partition), DropReason.EXPIRED,
                    "incomplete for longer than " + config.maxAge() + "; " + missing(oldest.getValue()), dropped);
        }
    }

    private void drop(Key key, Partial p, PartitionState ps, DropReason reason, String detail,
                      List<DroppedMessage> dropped) {
        release(key, p);
        if (ps != null) {
            ps.partials.remove(key.id);
        }
        rememberDropped(key, reason);
        report(dropped, toDropped(p, key.partition, reason, detail));
    }

    /** An incomplete message leaves the buffer: out of the age order, its bytes given back. */
    private void release(Key key, Partial p) {
        byAge.remove(key);
        bufferedBytes -= p.charged;
    }

    /** A map that remembers the most recent {@value #DROPPED_IDS_REMEMBERED} ids and forgets older ones. */
    private static <V> Map<Key, V> recent() {
        return new LinkedHashMap<>(16, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, V> eldest) {
                return size() > DROPPED_IDS_REMEMBERED;
            }
        };
    }

    private void rememberDropped(Key key, DropReason reason) {
        droppedIds.put(key, reason);
    }

    /** Every drop goes through here: reported to the caller and counted, never silent. */
    private void report(List<DroppedMessage> out, DroppedMessage d) {
        drops.merge(d.reason(), 1L, Long::sum);
        out.add(d);
    }

    private DroppedMessage lone(UUID id, TopicPartition tp, DropReason reason, String detail,
                                ConsumerRecord<byte[], byte[]> r, int count) {
        return new DroppedMessage(id, tp, reason, detail, r.offset(), r.offset(), 1, count,
                r.value() == null ? 0 : r.value().length, List.of(r));
    }

    private static DroppedMessage toDropped(Partial p, TopicPartition tp, DropReason reason, String detail) {
        return new DroppedMessage(p.id, tp, reason, detail, p.firstOffset, p.lastOffset, p.parts.size(),
                p.header.count(), p.receivedBytes, p.segments(true));
    }

    private static String missing(Partial p) {
        List<Integer> absent = IntStream.range(0, p.header.count()).filter(i -> !p.parts.containsKey(i))
                .limit(10).boxed().toList();
        int absentCount = p.header.count() - p.parts.size();
        return "missing segment" + (absentCount == 1 ? " " : "s ")
                + absent.stream().map(String::valueOf).collect(Collectors.joining(","))
                + (absentCount > absent.size() ? ",... (" + absentCount + " in all)" : "")
                + (p.parts.containsKey(0) ? "" : "; the first segment was never read");
    }

    /** Identifies a message: ids are unique per producer, the partition keeps two producers' apart anyway. */
    private record Key(TopicPartition partition, UUID id) {
    }

    private static final class PartitionState {
        /** Incomplete messages of this partition in first-offset order. */
        final LinkedHashMap<UUID, Partial> partials = new LinkedHashMap<>();
        long newest = -1;
    }

    private static final class Partial {
        final UUID id;
        final SegmentHeader header;
        final long firstOffset;
        final Instant firstSeen;
        /** Received segments by index; grows with what arrives, never with what the headers claim. */
        final TreeMap<Integer, Part> parts = new TreeMap<>();
        /** The whole message, allocated at its declared size (checked against the limits) for several segments. */
        final byte[] whole;
        /** CRC32C of the bytes copied into {@code whole} so far, in order. */
        final CRC32C crc = new CRC32C();
        /** The next segment to copy, and where it goes. */
        int nextIndex;
        int written;
        long lastOffset;
        long receivedBytes;
        /** Bytes of the segments held as they came (ahead of their turn). */
        long held;
        /** What this message is charged in the buffer's total. */
        long charged;

        Partial(SegmentHeader header, long firstOffset, Instant firstSeen) {
            this.id = header.messageId();
            this.header = header;
            this.firstOffset = firstOffset;
            this.lastOffset = firstOffset;
            this.firstSeen = firstSeen;
            this.whole = header.count() > 1 ? new byte[(int) header.totalSize()] : null;
        }

        /** What the message costs the buffer now: see {@link #SEGMENT_OVERHEAD_BYTES}. */
        long charge() {
            return Math.max(header.totalSize(), (long) SEGMENT_OVERHEAD_BYTES * parts.size()) + held;
        }

        /**
         * Adds a segment: copied into the array when every segment before it is there (and then the held ones
         * that follow it), else held as it came.
         */
        void add(int index, ConsumerRecord<byte[], byte[]> r, int length) {
            if (index != nextIndex || whole == null || written + length > whole.length) {
                hold(index, r, length);
                return;
            }
            receivedBytes += length;
            lastOffset = Math.max(lastOffset, r.offset());
            parts.put(index, copy(r, length));
            for (Part next = parts.get(nextIndex); next != null && next.held() && written + next.length <= whole.length;
                 next = parts.get(nextIndex)) {
                parts.put(nextIndex, copy(next.record, next.length));
                held -= next.length;
            }
        }

        /** Keeps a segment as it came. */
        void hold(int index, ConsumerRecord<byte[], byte[]> r, int length) {
            parts.put(index, new Part(r, true, length));
            receivedBytes += length;
            held += length;
            lastOffset = Math.max(lastOffset, r.offset());
        }

        /** Copies the segment at {@code nextIndex} into the array; the part no longer references its value. */
        private Part copy(ConsumerRecord<byte[], byte[]> r, int length) {
            System.arraycopy(r.value(), 0, whole, written, length);
            crc.update(whole, written, length);
            Part part = new Part(new SegmentRecord(r, whole, written, length), false, length);
            written += length;
            nextIndex++;
            return part;
        }

        /**
         * The segment records, in index order or offset order; those copied into the array give their bytes back
         * as a copy of their slice, made only when {@code value()} is called (a dead-letter topic).
         */
        List<ConsumerRecord<byte[], byte[]>> segments(boolean byOffset) {
            List<ConsumerRecord<byte[], byte[]>> list = new ArrayList<>(parts.size());
            for (Part part : parts.values()) {
                list.add(part.record());
            }
            if (byOffset) {
                list.sort((a, b) -> Long.compare(a.offset(), b.offset()));
            }
            return Collections.unmodifiableList(list);
        }
    }

    /**
     * A received segment: {@code held} while it is kept as it came (ahead of its turn), else its record is a
     * {@link SegmentRecord} over the message's array, and the received value array is not referenced any more.
     */
    private record Part(ConsumerRecord<byte[], byte[]> record, boolean held, int length) {
    }

    /**
     * A segment whose bytes live in the whole message, with the received record's metadata: {@code value()}
     * returns a copy of its slice.
     */
    private static final class SegmentRecord extends ConsumerRecord<byte[], byte[]> {
        private final byte[] whole;
        private final int at;
        private final int length;

        SegmentRecord(ConsumerRecord<byte[], byte[]> r, byte[] whole, int at, int length) {
            super(r.topic(), r.partition(), r.offset(), r.timestamp(), r.timestampType(), r.serializedKeySize(),
                    length, r.key(), null, r.headers(), r.leaderEpoch(), r.deliveryCount());
            this.whole = whole;
            this.at = at;
            this.length = length;
        }

        @Override
        public byte[] value() {
            return Arrays.copyOfRange(whole, at, at + length);
        }

        @Override
        public String toString() {
            return "SegmentRecord(topic = " + topic() + ", partition = " + partition() + ", offset = " + offset()
                    + ", " + length + " bytes)";
        }
    }
}
