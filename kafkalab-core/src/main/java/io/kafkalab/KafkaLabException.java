package io.kafkalab;

/**
 * The root of every exception that kafkalab throws.
 *
 * <p>Unchecked, like Kafka's own {@link org.apache.kafka.common.KafkaException}, so that a caller can
 * catch everything kafkalab signals in one place. Subtypes carry their context (topic, partition, offset,
 * message id, ...) both in getters and in {@link #getMessage()}.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public class KafkaLabException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong; may be {@code null}
     */
    public KafkaLabException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and a cause.
     *
     * @param message what went wrong; may be {@code null}
     * @param cause   the underlying failure; may be {@code null}
     */
    public KafkaLabException(String message, Throwable cause) {
        super(message, cause);
    }
}
