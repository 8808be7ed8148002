package io.kafkalab.producer;

import io.kafkalab.KafkaLabException;

/**
 * A bounded producer operation (flush, waiting for acknowledgements) did not finish in time. The sends
 * themselves go on until Kafka's {@code delivery.timeout.ms}; this only says the caller stopped waiting.
 */
public class ProducerTimeoutException extends KafkaLabException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what did not finish, and the bound
     */
    public ProducerTimeoutException(String message) {
        super(message);
    }
}
