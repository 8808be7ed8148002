package io.kafkalab.consumer;

import io.kafkalab.KafkaLabException;

/**
 * Thrown by a {@link BatchHandler} to say which record of the batch failed: the records before
 * {@link #index()} were processed, the one at it failed with {@link #getCause()}.
 */
public class BatchFailedException extends KafkaLabException {

    private static final long serialVersionUID = 1L;

    private final int index;

    /**
     * @param index position of the failed record in the batch, from 0
     * @param cause why it failed; never null
     */
    public BatchFailedException(int index, Throwable cause) {
        super("record " + index + " of the batch failed: " + cause, cause);
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0, but was " + index);
        }
        this.index = index;
    }

    /** @return position of the failed record in the batch, from 0 */
    public int index() {
        return index;
    }
}
