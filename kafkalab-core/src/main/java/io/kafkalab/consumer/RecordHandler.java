package io.kafkalab.consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Handles one record at a time, on the runner's thread. Returning normally means the record is processed
 * and may be committed; throwing hands it to the runner's {@link ErrorPolicy}.
 *
 * @param <K> key type
 * @param <V> value type
 */
@FunctionalInterface
public interface RecordHandler<K, V> {

    /**
     * @param record the record, deserialized
     * @throws Exception any failure; the error policy decides what happens next
     */
    void handle(ConsumerRecord<K, V> record) throws Exception;
}
