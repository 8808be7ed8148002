package io.kafkalab.consumer;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A {@link BatchHandler} that decides itself when offsets are committed, for {@link CommitPolicy#manual()}.
 *
 * @param <K> key type
 * @param <V> value type
 */
@FunctionalInterface
public interface AcknowledgingBatchHandler<K, V> {

    /**
     * @param records        the batch; see {@link BatchHandler}
     * @param acknowledgment valid only during this call, on this thread
     * @throws Exception any failure; see {@link BatchHandler}
     */
    void handle(List<ConsumerRecord<K, V>> records, Acknowledgment acknowledgment) throws Exception;
}
