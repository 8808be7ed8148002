package io.kafkalab.segment;

import io.kafkalab.KafkaLabException;

/** A record's segment headers are present but missing a field, malformed, or out of range. */
public class InvalidSegmentException extends KafkaLabException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong, naming the header
     */
    public InvalidSegmentException(String message) {
        super(message);
    }
}
