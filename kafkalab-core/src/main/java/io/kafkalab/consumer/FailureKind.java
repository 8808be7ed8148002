package io.kafkalab.consumer;

/** Why a record reached the {@link ErrorPolicy}. */
public enum FailureKind {
    /** The key could not be deserialized (a poison pill). Retrying cannot help. */
    KEY_DESERIALIZATION,
    /** The value could not be deserialized (a poison pill). Retrying cannot help. */
    VALUE_DESERIALIZATION,
    /** The handler threw. */
    HANDLER,
    /**
     * A segmented message the reassembler gave up on (evicted, expired, corrupt, invalid, too large); the
     * failure's records are the segments received, its error an {@code io.kafkalab.segment.ReassemblyException}.
     * Retrying cannot help.
     */
    SEGMENT;

    /** @return whether retrying could help */
    public boolean retryable() {
        return this == HANDLER;
    }
}
