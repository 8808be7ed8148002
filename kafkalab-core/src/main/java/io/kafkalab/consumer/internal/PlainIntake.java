package io.kafkalab.consumer.internal;

import java.util.List;
import io.kafkalab.segment.DroppedMessage;
import io.kafkalab.segment.ReassemblyStats;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/** Records go to the handler as they are. */
final class PlainIntake implements Intake {

    @Override
    public boolean offer(PartitionState state, ConsumerRecord<byte[], byte[]> raw, Object lane, Sink sink) {
        return sink.deliver(new Unit(state, List.of(raw), raw, new long[] {raw.offset()}, lane));
    }

    @Override
    public List<DroppedMessage> expire() {
        return List.of();
    }

    @Override
    public void forget(TopicPartition partition) {
    }

    @Override
    public ReassemblyStats stats() {
        return null;
    }

    @Override
    public boolean writesWatermark() {
        return false;
    }
}
