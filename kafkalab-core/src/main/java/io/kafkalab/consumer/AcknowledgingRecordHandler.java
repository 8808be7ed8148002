package io.kafkalab.consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A {@link RecordHandler} that decides itself when offsets are committed, for {@link CommitPolicy#manual()}:
 * calling {@link Acknowledgment#acknowledge()} marks this record and everything processed before it as
 * committable and commits it once the handler returns.
 *
 * @param <K> key type
 * @param <V> value type
 */
@FunctionalInterface
public interface AcknowledgingRecordHandler<K, V> {

    /**
     * @param record         the record
     * @param acknowledgment valid only during this call, on this thread
     * @throws Exception any failure; the error policy decides what happens next
     */
    void handle(ConsumerRecord<K, V> record, Acknowledgment acknowledgment) throws Exception;
}
