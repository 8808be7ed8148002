package io.kafkalab.consumer.internal;

import java.time.Duration;
import java.util.Collection;
import org.apache.kafka.clients.consumer.ConsumerRecords;

/**
 * Gets polled records to the handler: on the poll thread, one at a time ({@link SequentialDispatcher}), or on a
 * pool with an ordering ({@link ConcurrentDispatcher}). Chosen once, when the runner is built. Called on the poll
 * thread only.
 */
interface Dispatcher {

    /** Handles or hands out the records of one poll. */
    void dispatch(ConsumerRecords<byte[], byte[]> polled);

    /** Collects what completed meanwhile (concurrent), hands out held records; called once per loop. */
    void collect();

    /**
     * @param pollTimeout the runner's poll timeout
     * @return how long the next poll may wait: no longer than until the next retry held on the poll thread is due
     */
    default Duration untilNextDue(Duration pollTimeout) {
        return pollTimeout;
    }

    /**
     * @return whether records wait for capacity: the loop then waits for progress rather than polling long; never
     *     on the poll thread's own dispatchers
     */
    default boolean blocked() {
        return false;
    }

    /** Waits up to {@code timeout} for a record to complete (nothing to wait for on the poll thread's dispatchers). */
    default void awaitProgress(Duration timeout) {
    }

    /** @return whether nothing is in flight or held; always on the poll thread's dispatchers, which hold nothing */
    default boolean idle() {
        return true;
    }

    /**
     * Lets go of partitions: drops their held records, cancels their queued ones, waits up to {@code timeout} for
     * their running ones (unless {@code lost}).
     */
    void release(Collection<PartitionState> states, Duration timeout, boolean lost);

    /** Waits up to {@code timeout} for everything in flight (queued ones too when {@code drainQueued}). */
    default void drain(Duration timeout, boolean drainQueued) {
    }

    /** Stops its threads. */
    void shutdown();
}
