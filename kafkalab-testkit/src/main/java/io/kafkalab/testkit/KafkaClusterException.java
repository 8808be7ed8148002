package io.kafkalab.testkit;

/**
 * A cluster could not do what was asked: start, stop or start a broker, create or describe a topic,
 * within its time bound.
 *
 * <p>The message names the broker or topic and the bound that was exceeded.
 */
public class KafkaClusterException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed; may be {@code null}
     */
    public KafkaClusterException(String message) {
        super(message);
    }

    /**
     * @param message what failed; may be {@code null}
     * @param cause   the underlying failure; may be {@code null}
     */
    public KafkaClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
