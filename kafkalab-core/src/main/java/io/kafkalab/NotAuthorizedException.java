package io.kafkalab;

import java.util.Objects;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Kafka refused an operation: the cluster's authorizer has no ACL that allows this client's user the operation
 * on the resource. Retrying cannot help, so kafkalab never retries it: a send fails with it, a runner stops with
 * it (see {@link io.kafkalab.consumer.ConsumerRunner}). The resource, its type and the operation that was needed
 * are in the getters and in the message, for example {@code not authorized to WRITE topic 'orders'}; Kafka's own
 * exception ({@link org.apache.kafka.common.errors.AuthorizationException} or a subtype) is the cause.
 *
 * <p>The operation is the one kafkalab asked for (WRITE to send, READ to consume or commit), the usual ACL to
 * grant; Kafka's answer itself does not name it. Immutable, safe to share between threads.
 */
public class NotAuthorizedException extends KafkaLabException {

    private static final long serialVersionUID = 1L;

    private final ResourceType resourceType;
    private final String resourceName;
    private final AclOperation operation;

    /**
     * @param operation    the operation that was refused
     * @param resourceType TOPIC, GROUP, CLUSTER or TRANSACTIONAL_ID
     * @param resourceName the topic, group or transactional id ({@code kafka-cluster} for the cluster)
     * @param detail       added to the message after {@code ": "}; may be null
     * @param cause        Kafka's exception; may be null
     */
    public NotAuthorizedException(AclOperation operation, ResourceType resourceType, String resourceName,
                                  String detail, Throwable cause) {
        super("not authorized to " + operation + " " + describe(resourceType) + " '" + resourceName + "'"
                + (detail == null ? "" : ": " + detail), cause);
        this.operation = Objects.requireNonNull(operation, "operation");
        this.resourceType = Objects.requireNonNull(resourceType, "resourceType");
        this.resourceName = Objects.requireNonNull(resourceName, "resourceName");
    }

    private static String describe(ResourceType type) {
        return type == ResourceType.TRANSACTIONAL_ID ? "transactional id" : type.name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Finds the refusal behind a failure: a runner stopped by a refused dead-letter topic fails with a
     * {@link io.kafkalab.consumer.RecordProcessingException} whose cause is this exception.
     *
     * @param failure any throwable; may be null
     * @return the first {@code NotAuthorizedException} in its cause chain (itself included), or null
     */
    public static NotAuthorizedException in(Throwable failure) {
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof NotAuthorizedException n) {
                return n;
            }
        }
        return null;
    }

    /** @return the operation that was refused, e.g. WRITE */
    public AclOperation operation() {
        return operation;
    }

    /** @return the kind of resource, e.g. TOPIC */
    public ResourceType resourceType() {
        return resourceType;
    }

    /** @return the resource's name, e.g. the topic */
    public String resourceName() {
        return resourceName;
    }
}
