package io.kafkalab.consumer.internal;

/**
 * A partition held for a retry on the sequential path ("seek to current"): the record at {@link #offset} failed and
 * its error policy said retry; the partition was sought back to it and paused, the rest of its poll dropped. When
 * {@link #dueNanos} has passed the partition is resumed, the next poll fetches the record again, and its attempt
 * count goes on at {@link #attempt}. Poll thread only.
 */
final class RetryHold {
    /** The first record not done: the failed one. */
    final long offset;
    /** The attempt the record is at when handed to the handler again. */
    final int attempt;
    /** When it is due, in {@link System#nanoTime()} terms. */
    final long dueNanos;
    /** Whether the partition was resumed (the record is due and is being fetched again). */
    boolean resumed;

    RetryHold(long offset, int attempt, long dueNanos) {
        this.offset = offset;
        this.attempt = attempt;
        this.dueNanos = dueNanos;
    }

    /**
     * Marks the holds that are due as resumed.
     *
     * @return their partitions, to resume at the consumer (empty when none)
     */
    static java.util.List<org.apache.kafka.common.TopicPartition> resumeDue(java.util.List<PartitionState> holding,
                                                                          long nowNanos) {
        java.util.List<org.apache.kafka.common.TopicPartition> due = new java.util.ArrayList<>(0);
        for (PartitionState ps : holding) {
            RetryHold h = ps.retry;
            if (!h.resumed && nowNanos - h.dueNanos >= 0 && ps.assigned()) {
                h.resumed = true;
                ps.paused = false;
                due.add(ps.partition);
            }
        }
        return due;
    }

    /** @return how long a poll may wait: no longer than until the first of the holds not resumed is due */
    static java.time.Duration untilNextDue(java.util.List<PartitionState> holding, long nowNanos,
                                           java.time.Duration pollTimeout) {
        if (holding.isEmpty()) {
            return pollTimeout;
        }
        long wait = pollTimeout.toNanos();
        for (PartitionState ps : holding) {
            if (!ps.retry.resumed) {
                wait = Math.min(wait, Math.max(0, ps.retry.dueNanos - nowNanos));
            }
        }
        // round up: a poll that ends a little before the due time would only poll again at once
        return java.time.Duration.ofMillis((wait + 999_999) / 1_000_000);
    }

    @Override
    public String toString() {
        return "@" + offset + " attempt " + attempt + (resumed ? " (resumed)" : "");
    }
}
