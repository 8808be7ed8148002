package io.kafkalab.consumer.internal;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One piece of work for the handler: a record, a batch of records of one partition, or a reassembled message (with
 * its segments). Its {@code offsets} are what completes when it is done. The poll thread creates it; a handler
 * thread runs it; completion goes back to the poll thread.
 */
final class Unit {
    static final int HANDLED = 1;
    static final int ACKNOWLEDGED = 2;

    final PartitionState state;
    /** The raw records (a failure reports them; a batch deserializes them). */
    final List<ConsumerRecord<byte[], byte[]>> raw;
    /** The record to deserialize for a single unit (a reassembled message's whole), or null for a batch. */
    final ConsumerRecord<byte[], byte[]> whole;
    /** Offsets that complete with it. */
    final long[] offsets;
    /** The lane it runs in (a key or a partition), or null when unordered. */
    final Object lane;
    final long bytes;
    /** Attempts so far, and where a partly failed batch goes on. */
    int attempt = 1;
    int from;
    /** HANDLED and ACKNOWLEDGED bits. */
    final AtomicInteger progress = new AtomicInteger();
    /** Set when it will not complete: the runner stops, or it was cancelled. */
    volatile boolean abandoned;

    Unit(PartitionState state, List<ConsumerRecord<byte[], byte[]>> raw, ConsumerRecord<byte[], byte[]> whole,
         long[] offsets, Object lane) {
        this.state = state;
        this.raw = raw;
        this.whole = whole;
        this.offsets = offsets;
        this.lane = lane;
        long b = 0;
        for (ConsumerRecord<byte[], byte[]> r : raw) {
            b += Math.max(0, r.serializedValueSize()) + Math.max(0, r.serializedKeySize());
        }
        this.bytes = b;
    }

    static long[] offsetsOf(List<ConsumerRecord<byte[], byte[]>> records) {
        long[] o = new long[records.size()];
        for (int i = 0; i < o.length; i++) {
            o[i] = records.get(i).offset();
        }
        return o;
    }

    /** @return how many raw records it holds (all of them, also when a partly failed batch goes on from {@link #from}) */
    int size() {
        return raw.size();
    }

    @Override
    public String toString() {
        ConsumerRecord<byte[], byte[]> r = raw.get(0);
        return r.topic() + "-" + r.partition() + "@" + r.offset() + (raw.size() > 1 ? "+" + (raw.size() - 1) : "");
    }
}
