package io.kafkalab.segment;

import io.kafkalab.KafkaLabException;
import java.util.UUID;

/**
 * Not every segment of a message was acknowledged. Says how many were, of how many, and why not (the cause).
 * A consumer never delivers such a message: its reassembler reports it as incomplete once it expires.
 */
public class SegmentedSendException extends KafkaLabException {

    private static final long serialVersionUID = 1L;

    private final UUID messageId;
    private final int acknowledged;
    private final int segmentCount;

    /**
     * @param messageId    the message
     * @param acknowledged segments acknowledged
     * @param segmentCount segments in the message
     * @param cause        the first failure
     */
    public SegmentedSendException(UUID messageId, int acknowledged, int segmentCount, Throwable cause) {
        super("message " + messageId + ": " + acknowledged + " of " + segmentCount + " segments acknowledged; "
                + cause, cause);
        this.messageId = messageId;
        this.acknowledged = acknowledged;
        this.segmentCount = segmentCount;
    }

    /** @return the message id */
    public UUID messageId() {
        return messageId;
    }

    /** @return segments acknowledged */
    public int acknowledged() {
        return acknowledged;
    }

    /** @return segments in the message */
    public int segmentCount() {
        return segmentCount;
    }
}
