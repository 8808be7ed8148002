package io.kafkalab.consumer;

/**
 * Given to an acknowledging handler: {@link #acknowledge()} makes the current record (or batch) and all
 * processed before it committable, and under {@link CommitPolicy#manual()} commits them once the handler
 * returns successfully. Not thread safe: call it from the handler, during the call.
 */
@FunctionalInterface
public interface Acknowledgment {

    /** Acknowledges the current record or batch, and everything processed before it. Idempotent. */
    void acknowledge();
}
