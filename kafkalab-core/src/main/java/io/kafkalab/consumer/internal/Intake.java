package io.kafkalab.consumer.internal;

import java.util.List;
import io.kafkalab.segment.DroppedMessage;
import io.kafkalab.segment.ReassemblyStats;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Turns raw records into what the handler gets: the records themselves ({@link PlainIntake}), or messages
 * reassembled from segments ({@link ReassemblingIntake}). Chosen once, when the runner is built. Poll thread only.
 */
interface Intake {

    /** Where an intake puts what it made. */
    interface Sink {
        /** @return false to stop the poll */
        boolean deliver(Unit unit);

        /** @return false to stop the poll */
        boolean dropped(DroppedMessage message);
    }

    /**
     * Takes one raw record of a partition, in offset order. The record was handed out ({@link PartitionState#handedOut})
     * before; the intake completes it itself when it discards it.
     *
     * @return false when the sink said stop
     */
    boolean offer(PartitionState state, ConsumerRecord<byte[], byte[]> raw, Object lane, Sink sink);

    /** @return messages given up on for their age (call after each poll) */
    List<DroppedMessage> expire();

    /** Forgets a partition no longer assigned. */
    void forget(TopicPartition partition);

    /** @return the reassembler's counters, or null */
    ReassemblyStats stats();

    /** @return whether the delivered watermark should be written with commits */
    boolean writesWatermark();
}
