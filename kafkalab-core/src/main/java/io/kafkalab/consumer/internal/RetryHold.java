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

    @Override
    public String toString() {
        return "@" + offset + " attempt " + attempt + (resumed ? " (resumed)" : "");
    }
}
