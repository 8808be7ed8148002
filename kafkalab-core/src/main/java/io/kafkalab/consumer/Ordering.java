package io.kafkalab.consumer;

/**
 * Which records of a concurrent runner may be handled at the same time (see
 * {@link ConsumerRunner.Builder#ordering(Ordering)}). Whatever the ordering, commits never pass a record that is
 * not complete.
 */
public enum Ordering {
    /**
     * One record (or batch) of a partition at a time, in offset order: the partition is the unit of concurrency,
     * as in a plain Kafka consumer. The default.
     */
    PARTITION,
    /**
     * Records with the same key never run at once, and run in offset order; records of different keys run
     * concurrently, even within one partition. Keys are compared by their bytes, per topic. Records with a null
     * key follow {@link ConsumerRunner.Builder#nullKeys(Ordering)}.
     */
    KEY,
    /** Any record may run at any time: the most concurrency, no order. */
    UNORDERED
}
