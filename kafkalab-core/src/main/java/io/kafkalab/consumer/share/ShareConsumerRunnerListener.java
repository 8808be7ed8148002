package io.kafkalab.consumer.share;

import io.kafkalab.consumer.ErrorDecision;
import io.kafkalab.consumer.Failure;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.common.TopicIdPartition;

/**
 * Callbacks from a {@link ShareConsumerRunner}, all on the runner's thread, all no-ops by default. An exception
 * thrown here is logged and otherwise ignored: a listener never breaks the loop.
 */
public interface ShareConsumerRunnerListener {

    /**
     * The error policy decided about a failure, and the runner acknowledged the record so.
     *
     * @param failure         what failed; {@link Failure#attempt()} is the record's delivery count
     * @param decision        the policy's decision
     * @param acknowledgement how the record was acknowledged (RELEASE for a retry or a stop, REJECT for a skip,
     *                        ACCEPT once dead-lettered)
     */
    default void onError(Failure failure, ErrorDecision decision, AcknowledgeType acknowledgement) {
    }

    /**
     * The broker refused the acknowledgements of a partition (for example because the records' locks had expired:
     * the handler took longer than the record lock duration). The records are delivered again.
     */
    default void onCommitFailed(TopicIdPartition partition, Exception error) {
    }

    /**
     * The runner stopped. Called on the loop's thread before {@link ShareConsumerRunner#awaitTermination} returns for
     * anyone.
     *
     * @param cause why it stopped, or null after a normal close
     */
    default void onStopped(Throwable cause) {
    }
}
