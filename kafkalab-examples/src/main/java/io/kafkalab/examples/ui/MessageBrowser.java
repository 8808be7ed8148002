package io.kafkalab.examples.ui;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;

/**
 * Reads messages for the Messages screen: a page of one partition (or of every partition) from an offset, newest or
 * oldest first, or a search over keys, values and headers. Every read is bounded: at most {@link Limits#maxScan}
 * records looked at and {@link Limits#maxTime} spent, whatever was asked; the answer says when a bound cut it short.
 * Each request uses a consumer of its own, without a group (nothing is committed), closed before it returns. Thread
 * safe.
 */
final class MessageBrowser {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The bounds of one request.
     *
     * @param maxScan     the most records one request reads
     * @param maxTime     the longest one request reads
     * @param maxPage     the most records one page shows
     * @param listChars   the characters of a key, value or header shown in a page before it is cut
     * @param fullChars   the characters shown when one message is asked for in full
     * @param lookAround  how far (in offsets, each way) the segments of a segmented message that a page shows only
     *                    in part are looked for, beyond the page (within {@code maxScan} and {@code maxTime})
     */
    record Limits(int maxScan, Duration maxTime, int maxPage, int listChars, int fullChars, int lookAround) {
        static final Limits DEFAULT = new Limits(10_000, Duration.ofSeconds(5), 500, 2_000, 1_000_000, 1_000);
    }

    /**
     * What to read.
     *
     * @param topic     the topic
     * @param partition one partition, or null for all
     * @param offset    where to start (oldest first) or end (newest first, inclusive); null: the start or the end
     * @param time      instead of an offset, a time (ms since the epoch): oldest first from the first record at or
     *                  after it, newest first from the last record before it; null for none
     * @param newest    newest first
     * @param limit     how many records to show
     * @param query     text to search for in keys, values and headers (ignoring case), or null to browse
     * @param full      show values in full, up to {@link Limits#fullChars}
     */
    record Request(String topic, Integer partition, Long offset, Long time, boolean newest, int limit, String query,
                   boolean full) {
    }

    private final Supplier<Consumer<byte[], byte[]>> consumers;
    private final Limits limits;
    private final Duration timeout;

    /**
     * @param consumers makes a new consumer of bytes, without a group, for each request
     * @param limits    the bounds
     * @param timeout   the bound on each call to the cluster (metadata, offsets)
     */
    MessageBrowser(Supplier<Consumer<byte[], byte[]>> consumers, Limits limits, Duration timeout) {
        this.consumers = consumers;
        this.limits = limits;
        this.timeout = timeout;
    }

    ObjectNode read(Request r) {
        if (r.limit() < 1 || r.limit() > limits.maxPage()) {
            throw ApiError.badRequest("limit must be between 1 and " + limits.maxPage() + ", but was " + r.limit());
        }
        if (r.offset() != null && r.time() != null) {
            throw ApiError.badRequest("give an offset or a time, not both");
        }
        if (r.offset() != null && r.offset() < 0) {
            throw ApiError.badRequest("offset must be >= 0, but was " + r.offset());
        }
        try (Consumer<byte[], byte[]> consumer = consumers.get()) {
            List<PartitionInfo> infos;
            try {
                infos = consumer.partitionsFor(r.topic(), timeout);
            } catch (TimeoutException e) {
                throw ClusterView.unreachable(timeout);
            }
            if (infos == null || infos.isEmpty()) {
                throw ApiError.notFound("topic " + r.topic());
            }
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : infos) {
                if (r.partition() == null || r.partition() == p.partition()) {
                    partitions.add(new TopicPartition(r.topic(), p.partition()));
                }
            }
            if (partitions.isEmpty()) {
                throw ApiError.badRequest("topic " + r.topic() + " has no partition " + r.partition() + " (it has "
                        + infos.size() + ")");
            }
            partitions.sort(Comparator.comparingInt(TopicPartition::partition));
            return r.query() == null || r.query().isBlank() ? browse(consumer, partitions, r)
                    : search(consumer, partitions, r);
        }
    }

    /** Each partition's range [from, to) to read. */
    private record Range(long from, long to) {
    }

    private ObjectNode browse(Consumer<byte[], byte[]> consumer, List<TopicPartition> partitions, Request r) {
        Map<TopicPartition, Long> starts = consumer.beginningOffsets(partitions, timeout);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
        Map<TopicPartition, Long> atTime = r.time() == null ? Map.of() : offsetsAt(consumer, partitions, r.time(), ends);
        Map<TopicPartition, Range> ranges = new HashMap<>();
        for (TopicPartition tp : partitions) {
            long start = starts.get(tp);
            long end = ends.get(tp);
            if (r.time() != null) {
                long at = atTime.get(tp);
                ranges.put(tp, r.newest() ? new Range(Math.max(start, at - r.limit()), at)
                        : new Range(at, Math.min(end, at + r.limit())));
            } else if (r.newest()) {
                long to = r.offset() == null ? end : Math.min(end, r.offset() + 1);
                ranges.put(tp, new Range(Math.max(start, to - r.limit()), to));
            } else {
                long from = r.offset() == null ? start : Math.max(start, r.offset());
                ranges.put(tp, new Range(from, Math.min(end, from + r.limit())));
            }
        }
        Scan scan = scan(consumer, ranges, rec -> true);
        return answer(consumer, scan, r, starts, ends);
    }

    /** Each partition's first offset at or after a time; the end offset where no record is that new. */
    private Map<TopicPartition, Long> offsetsAt(Consumer<byte[], byte[]> consumer, List<TopicPartition> partitions,
                                                long time, Map<TopicPartition, Long> ends) {
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, time));
        Map<TopicPartition, Long> offsets = new HashMap<>();
        consumer.offsetsForTimes(query, timeout).forEach((tp, found) ->
                offsets.put(tp, found == null ? ends.get(tp) : found.offset()));
        partitions.forEach(tp -> offsets.putIfAbsent(tp, ends.get(tp)));
        return offsets;
    }

    private ObjectNode search(Consumer<byte[], byte[]> consumer, List<TopicPartition> partitions, Request r) {
        String needle = r.query().toLowerCase(Locale.ROOT);
        Map<TopicPartition, Long> starts = consumer.beginningOffsets(partitions, timeout);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
        // the newest maxScan records, shared out between the partitions
        long perPartition = Math.max(1, limits.maxScan() / partitions.size());
        Map<TopicPartition, Range> ranges = new HashMap<>();
        for (TopicPartition tp : partitions) {
            long to = r.offset() == null ? ends.get(tp) : Math.min(ends.get(tp), r.offset() + 1);
            ranges.put(tp, new Range(Math.max(starts.get(tp), to - perPartition), to));
        }
        Scan scan = scan(consumer, ranges, rec -> matches(rec, needle));
        return answer(consumer, scan, r, starts, ends);
    }

    static boolean matches(ConsumerRecord<byte[], byte[]> rec, String lowerNeedle) {
        if (ValueText.contains(rec.key(), lowerNeedle) || ValueText.contains(rec.value(), lowerNeedle)) {
            return true;
        }
        for (Header h : rec.headers()) {
            if (h.key().toLowerCase(Locale.ROOT).contains(lowerNeedle) || ValueText.contains(h.value(), lowerNeedle)) {
                return true;
            }
        }
        return false;
    }

    /** What a scan found, how many records it read, and whether a bound stopped it. */
    private record Scan(List<ConsumerRecord<byte[], byte[]>> found, int scanned, boolean scanLimitReached,
                        boolean timedOut) {
    }

    private Scan scan(Consumer<byte[], byte[]> consumer, Map<TopicPartition, Range> ranges,
                      java.util.function.Predicate<ConsumerRecord<byte[], byte[]>> keep) {
        Map<TopicPartition, Range> open = new HashMap<>();
        ranges.forEach((tp, range) -> {
            if (range.from() < range.to()) {
                open.put(tp, range);
            }
        });
        List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
        consumer.resume(consumer.paused()); // an earlier scan of this request paused the partitions it finished
        consumer.assign(open.keySet());
        open.forEach((tp, range) -> consumer.seek(tp, range.from()));
        int scanned = 0;
        long deadline = System.nanoTime() + limits.maxTime().toNanos();
        boolean timedOut = false;
        while (!open.isEmpty() && scanned < limits.maxScan()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                timedOut = true;
                break;
            }
            ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofNanos(Math.min(left, 500_000_000L)));
            for (ConsumerRecord<byte[], byte[]> rec : batch) {
                TopicPartition tp = new TopicPartition(rec.topic(), rec.partition());
                Range range = open.get(tp);
                if (range == null || rec.offset() >= range.to() || scanned >= limits.maxScan()) {
                    continue;
                }
                scanned++;
                if (keep.test(rec)) {
                    found.add(rec);
                }
            }
            // a partition is done once its position passed the range (gaps from compaction or transactions included)
            for (TopicPartition tp : List.copyOf(open.keySet())) {
                if (consumer.position(tp, timeout) >= open.get(tp).to()) {
                    open.remove(tp);
                    consumer.pause(List.of(tp));
                }
            }
        }
        return new Scan(found, scanned, !open.isEmpty() && scanned >= limits.maxScan(), timedOut);
    }

    private ObjectNode answer(Consumer<byte[], byte[]> consumer, Scan scan, Request r, Map<TopicPartition, Long> starts,
                              Map<TopicPartition, Long> ends) {
        // one partition: in offset order; several: by timestamp, as a person reads a topic
        Comparator<ConsumerRecord<byte[], byte[]>> byOffset = Comparator
                .<ConsumerRecord<byte[], byte[]>>comparingLong(ConsumerRecord::offset);
        Comparator<ConsumerRecord<byte[], byte[]>> order = starts.size() == 1 ? byOffset : Comparator
                .<ConsumerRecord<byte[], byte[]>>comparingLong(ConsumerRecord::timestamp)
                .thenComparingInt(ConsumerRecord::partition).thenComparingLong(ConsumerRecord::offset);
        List<ConsumerRecord<byte[], byte[]>> sorted = new ArrayList<>(scan.found());
        sorted.sort(r.newest() || r.query() != null ? order.reversed() : order);
        int chars = r.full() ? limits.fullChars() : limits.listChars();
        ObjectNode o = JSON.createObjectNode();
        o.put("topic", r.topic());
        o.put("scanned", scan.scanned());
        o.put("scanLimitReached", scan.scanLimitReached());
        o.put("timedOut", scan.timedOut());
        o.put("matched", sorted.size());
        ObjectNode offsets = o.putObject("offsets");
        starts.keySet().stream().sorted(Comparator.comparingInt(TopicPartition::partition)).forEach(tp ->
                offsets.putObject(String.valueOf(tp.partition())).put("start", starts.get(tp)).put("end", ends.get(tp)));
        List<ConsumerRecord<byte[], byte[]>> shown = sorted.subList(0, Math.min(r.limit(), sorted.size()));
        Segments segments = segments(consumer, shown, scan.found(), starts, ends);
        ArrayNode records = o.putArray("records");
        for (ConsumerRecord<byte[], byte[]> rec : shown) {
            ObjectNode n = records.addObject();
            segments.describe(rec, n, chars);
            n.put("partition", rec.partition());
            n.put("offset", rec.offset());
            n.put("timestamp", rec.timestamp());
            n.put("timestampType", rec.timestampType().toString());
            n.set("key", JSON.valueToTree(ValueText.of(rec.key(), chars)));
            n.set("value", JSON.valueToTree(ValueText.of(rec.value(), chars)));
            ArrayNode headers = n.putArray("headers");
            for (Header h : rec.headers()) {
                headers.addObject().put("key", h.key()).set("value", JSON.valueToTree(ValueText.of(h.value(), chars)));
            }
        }
        return o;
    }

    /**
     * The segments of the segmented messages a page shows: those among the records read, and for a message the page
     * shows only in part, those found by a second scan of its partition around it ({@link Limits#lookAround} offsets
     * each way, within the request's bounds).
     */
    private Segments segments(Consumer<byte[], byte[]> consumer, List<ConsumerRecord<byte[], byte[]>> shown,
                              List<ConsumerRecord<byte[], byte[]>> read, Map<TopicPartition, Long> starts,
                              Map<TopicPartition, Long> ends) {
        Segments segments = Segments.of(read);
        Map<TopicPartition, Range> around = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> rec : shown) {
            io.kafkalab.segment.SegmentHeader h = Segments.header(rec);
            if (h != null && segments.found(h.messageId()) < h.count()) {
                TopicPartition tp = new TopicPartition(rec.topic(), rec.partition());
                long from = Math.max(starts.get(tp), rec.offset() - limits.lookAround());
                long to = Math.min(ends.get(tp), rec.offset() + limits.lookAround() + 1);
                around.merge(tp, new Range(from, to), (a, b) -> new Range(Math.min(a.from(), b.from()),
                        Math.max(a.to(), b.to())));
            }
        }
        if (around.isEmpty()) {
            return segments;
        }
        Scan more = scan(consumer, around, rec -> Segments.header(rec) != null);
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>(read);
        all.addAll(more.found());
        return Segments.of(all);
    }

    /**
     * kafkalab's segmented messages ({@link io.kafkalab.segment.SegmentHeader}) among the records found: which
     * segment each record is, how many of its message's segments were found, and the message reassembled (by core's
     * {@link io.kafkalab.segment.Reassembler}, which checks the sizes and the CRC32C) on the first of its segments a
     * page shows, when all of them were found.
     */
    private record Segments(Map<java.util.UUID, Map<Integer, ConsumerRecord<byte[], byte[]>>> byMessage,
                            Map<java.util.UUID, Integer> described) {

        static Segments of(List<ConsumerRecord<byte[], byte[]>> records) {
            Map<java.util.UUID, Map<Integer, ConsumerRecord<byte[], byte[]>>> byMessage = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> rec : records) {
                io.kafkalab.segment.SegmentHeader h = header(rec);
                if (h != null) {
                    byMessage.computeIfAbsent(h.messageId(), id -> new java.util.TreeMap<>()).putIfAbsent(h.index(), rec);
                }
            }
            return new Segments(byMessage, new HashMap<>());
        }

        static io.kafkalab.segment.SegmentHeader header(ConsumerRecord<byte[], byte[]> rec) {
            try {
                return io.kafkalab.segment.SegmentHeader.read(rec.headers());
            } catch (io.kafkalab.segment.InvalidSegmentException e) {
                return null;
            }
        }

        int found(java.util.UUID id) {
            return byMessage.getOrDefault(id, Map.of()).size();
        }

        void describe(ConsumerRecord<byte[], byte[]> rec, ObjectNode n, int chars) {
            io.kafkalab.segment.SegmentHeader h = header(rec);
            if (h == null) {
                return;
            }
            Map<Integer, ConsumerRecord<byte[], byte[]>> found = byMessage.getOrDefault(h.messageId(), Map.of());
            ObjectNode s = n.putObject("segment");
            s.put("messageId", h.messageId().toString());
            s.put("index", h.index());
            s.put("count", h.count());
            s.put("found", found.size());
            s.put("complete", found.size() == h.count());
            // the whole message once, on the first of its records that the page shows
            if (found.size() == h.count() && described.putIfAbsent(h.messageId(), h.index()) == null) {
                io.kafkalab.segment.Reassembler reassembler = new io.kafkalab.segment.Reassembler(
                        io.kafkalab.segment.ReassemblyConfig.ofDefaults());
                List<ConsumerRecord<byte[], byte[]>> inOrder = new ArrayList<>(found.values());
                inOrder.sort(Comparator.comparingLong(ConsumerRecord::offset));
                for (ConsumerRecord<byte[], byte[]> seg : inOrder) {
                    io.kafkalab.segment.Reassembler.Result result = reassembler.add(seg);
                    if (result.message() != null) {
                        s.set("assembled", JSON.valueToTree(ValueText.of(result.message().value(), chars)));
                    }
                    result.dropped().forEach(d -> s.put("problem", d.reason() + ": " + d.detail()));
                }
            }
        }
    }

    /** The bytes of a text, for headers and keys produced from the page. */
    static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }
}
