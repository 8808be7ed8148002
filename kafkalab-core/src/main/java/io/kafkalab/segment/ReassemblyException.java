package io.kafkalab.segment;

import io.kafkalab.KafkaLabException;

/**
 * The error a consumer runner's error policy receives for a message the reassembler dropped: carries the
 * {@link DroppedMessage} (reason, partition, offsets, segments).
 */
public class ReassemblyException extends KafkaLabException {

    private static final long serialVersionUID = 1L;

    private final transient DroppedMessage dropped;

    /**
     * @param dropped what was dropped and why
     */
    public ReassemblyException(DroppedMessage dropped) {
        super(dropped.describe());
        this.dropped = dropped;
    }

    /** @return what was dropped and why */
    public DroppedMessage dropped() {
        return dropped;
    }
}
