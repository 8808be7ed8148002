package io.kafkalab.consumer;

import io.kafkalab.KafkaLabException;

/**
 * A runner stopped because its error policy said so: the failed record's topic, partition and offset are in
 * the getters and in the message; the original error is the cause. The record was not committed.
 */
public class RecordProcessingException extends KafkaLabException {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final int partition;
    private final long offset;

    /**
     * @param topic     topic of the failed record
     * @param partition its partition
     * @param offset    its offset
     * @param cause     the original error
     */
    public RecordProcessingException(String topic, int partition, long offset, Throwable cause) {
        super("stopped at " + topic + "-" + partition + "@" + offset + ": " + cause, cause);
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
    }

    /** @return topic of the failed record */
    public String topic() {
        return topic;
    }

    /** @return partition of the failed record */
    public int partition() {
        return partition;
    }

    /** @return offset of the failed record */
    public long offset() {
        return offset;
    }
}
