package io.kafkalab.consumer;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Handles a batch of records of one partition, in offset order, on the runner's thread. Returning normally
 * means every record is processed. To say that record {@code i} failed after the ones before it were
 * processed, throw {@link BatchFailedException}: the records before it count as processed (and may be
 * committed), the failed one goes to the {@link ErrorPolicy}, and the rest is handed on again. Any other
 * exception counts against the whole batch.
 *
 * @param <K> key type
 * @param <V> value type
 */
@FunctionalInterface
public interface BatchHandler<K, V> {

    /**
     * @param records one to the runner's maximum batch size, all from one partition, in offset order;
     *                an unmodifiable list
     * @throws Exception any failure; see the class documentation
     */
    void handle(List<ConsumerRecord<K, V>> records) throws Exception;
}
