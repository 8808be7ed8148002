package io.kafkalab.internal;

import io.kafkalab.NotAuthorizedException;
import java.util.Optional;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.resource.ResourceType;

/** Turns Kafka's authorization errors into {@link NotAuthorizedException}s that name what was refused. */
public final class Denials {

    private Denials() {
    }

    /**
     * @param error what a send failed with
     * @param topic the record's topic
     * @return the denial, if {@code error} is one (or is already a {@link NotAuthorizedException})
     */
    public static Optional<NotAuthorizedException> ofSend(Throwable error, String topic) {
        if (error instanceof NotAuthorizedException n) {
            return Optional.of(n);
        }
        if (error instanceof TransactionalIdAuthorizationException) {
            return Optional.of(new NotAuthorizedException(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID,
                    "producer's transactional.id", null, error));
        }
        if (error instanceof ClusterAuthorizationException) {
            // an idempotent producer needs a producer id first, granted only with WRITE on some topic (or the
            // cluster's IDEMPOTENT_WRITE): the user was refused that before the topic was even asked
            return Optional.of(new NotAuthorizedException(AclOperation.WRITE, ResourceType.TOPIC, topic,
                    null, error));
        }
        if (error instanceof AuthorizationException) {
            return Optional.of(new NotAuthorizedException(AclOperation.WRITE, ResourceType.TOPIC, topic, null, error));
        }
        if (error != null && error.getClass() == KafkaException.class
                && error.getCause() instanceof AuthorizationException cause) {
            // once an idempotent producer's InitProducerId was refused, later sends throw "Cannot execute
            // transactional method because we are in an error state" with the refusal as the cause
            return ofSend(cause, topic);
        }
        return Optional.empty();
    }

    /**
     * @param error   what a consumer call (poll, commit) failed with
     * @param groupId the consumer's group
     * @return the denial, if {@code error} is one (or is already a {@link NotAuthorizedException})
     */
    public static Optional<NotAuthorizedException> ofConsume(Throwable error, String groupId) {
        if (error instanceof NotAuthorizedException n) {
            return Optional.of(n);
        }
        if (error instanceof TopicAuthorizationException t) {
            String topics = t.unauthorizedTopics().isEmpty() ? "?" : String.join("', '", t.unauthorizedTopics()
                    .stream().sorted().toList());
            return Optional.of(new NotAuthorizedException(AclOperation.READ, ResourceType.TOPIC, topics, null, error));
        }
        if (error instanceof GroupAuthorizationException g) {
            String group = g.groupId() != null ? g.groupId() : groupId;
            return Optional.of(new NotAuthorizedException(AclOperation.READ, ResourceType.GROUP, group, null, error));
        }
        if (error instanceof AuthorizationException) {
            return Optional.of(new NotAuthorizedException(AclOperation.READ, ResourceType.GROUP, groupId,
                    error.getMessage(), error));
        }
        return Optional.empty();
    }
}
