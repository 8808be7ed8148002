package io.kafkalab.consumer;

import java.util.Collection;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Callbacks from a {@link ConsumerRunner}, all on the runner's thread, all no-ops by default. An exception
 * thrown here is logged and otherwise ignored: a listener never breaks the loop.
 */
public interface ConsumerRunnerListener {

    /** Partitions were assigned to this runner. */
    default void onAssigned(Collection<TopicPartition> partitions) {
    }

    /** Partitions were revoked; what was processed for them has been committed synchronously. */
    default void onRevoked(Collection<TopicPartition> partitions) {
    }

    /** Partitions were lost (another member may own them already); nothing was committed for them. */
    default void onLost(Collection<TopicPartition> partitions) {
    }

    /** A commit succeeded. */
    default void onCommitted(Map<TopicPartition, OffsetAndMetadata> offsets) {
    }

    /** A commit failed; a later commit carries offsets at least as high. */
    default void onCommitFailed(Map<TopicPartition, OffsetAndMetadata> offsets, Exception error) {
    }

    /** The error policy decided about a failure. */
    default void onError(Failure failure, ErrorDecision decision) {
    }

    /**
     * The runner stopped. Called on the loop's thread before {@link ConsumerRunner#awaitTermination} returns for
     * anyone, so do not await the runner's termination here ({@link ConsumerRunner#close(java.time.Duration)} returns at
     * once on this thread).
     *
     * @param cause why it stopped, or null after a normal close
     */
    default void onStopped(Throwable cause) {
    }
}
