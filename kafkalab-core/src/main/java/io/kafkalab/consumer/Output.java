package io.kafkalab.consumer;

import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Where a {@link ProcessingHandler} sends the records it makes: into the runner's open transaction, which also
 * carries the offset of the record being handled. They become visible to {@code read_committed} consumers when the
 * transaction commits, together with that offset, or never (the transaction aborts and the input is read again).
 *
 * <p>Only valid during the handler call it was passed to, on the runner's thread. Not thread safe.
 *
 * @param <K> key type of the records sent
 * @param <V> value type of the records sent
 */
public interface Output<K, V> {

    /**
     * Serializes the record with the serializers of {@link ExactlyOnce} and sends it in the open transaction. The
     * handler need not wait for the future: the transaction commits only when every send of it succeeded; a send
     * that fails aborts it and goes to the error policy as a failure of the record that sent it.
     *
     * @param record the record; key and value may be null
     * @return completes when the broker has the record (not yet committed)
     * @throws IllegalStateException when called outside the handler call
     */
    Future<RecordMetadata> send(ProducerRecord<K, V> record);

    /**
     * As {@link #send(ProducerRecord)} with a record of {@code topic}, {@code key} and {@code value}.
     *
     * @param topic the topic
     * @param key   the key, or null
     * @param value the value, or null
     * @return completes when the broker has the record (not yet committed)
     */
    default Future<RecordMetadata> send(String topic, K key, V value) {
        return send(new ProducerRecord<>(topic, key, value));
    }
}
