package io.kafkalab.consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns one consumed record into records sent through an {@link Output}, exactly once: see
 * {@link ConsumerRunner.Builder#processing(ExactlyOnce, ProcessingHandler)}. Runs on the runner's thread. Returning
 * normally means the record is processed: its outputs and its offset commit in the same transaction. Throwing
 * aborts the transaction (its outputs are never visible) and hands the record to the runner's {@link ErrorPolicy}.
 *
 * <p>A handler may run more than once for a record (after an abort, a rebalance or a crash): only its sends through
 * {@code output} are exactly once, side effects of its own are not.
 *
 * @param <K>  key type consumed
 * @param <V>  value type consumed
 * @param <KO> key type sent
 * @param <VO> value type sent
 */
@FunctionalInterface
public interface ProcessingHandler<K, V, KO, VO> {

    /**
     * @param record the record, deserialized
     * @param output sends into the transaction of this record; valid during this call only
     * @throws Exception any failure; the transaction aborts and the error policy decides
     */
    void process(ConsumerRecord<K, V> record, Output<KO, VO> output) throws Exception;
}
