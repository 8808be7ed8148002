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

    /** @return whether records wait for capacity: the loop then waits for progress rather than polling long */
    boolean blocked();

    /** Waits up to {@code timeout} for a record to complete. */
    void awaitProgress(Duration timeout);

    /** @return whether nothing is in flight or held */
    boolean idle();

    /**
     * Lets go of partitions: drops their held records, cancels their queued ones, waits up to {@code timeout} for
     * their running ones (unless {@code lost}).
     */
    void release(Collection<PartitionState> states, Duration timeout, boolean lost);

    /** Waits up to {@code timeout} for everything in flight (queued ones too when {@code drainQueued}). */
    void drain(Duration timeout, boolean drainQueued);

    /** Stops its threads. */
    void shutdown();
}
