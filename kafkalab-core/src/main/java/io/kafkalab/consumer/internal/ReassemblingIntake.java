package io.kafkalab.consumer.internal;

import java.util.List;
import io.kafkalab.segment.AssembledMessage;
import io.kafkalab.segment.DroppedMessage;
import io.kafkalab.segment.Reassembler;
import io.kafkalab.segment.ReassemblyConfig;
import io.kafkalab.segment.ReassemblyStats;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Segments go through a {@link Reassembler}; complete messages go to the handler as one record (its offset the last
 * segment's, its headers the first segment's), records without segment headers pass through. A segment stays
 * incomplete in its partition's state until its message is handled or dropped, so commits never pass the first
 * segment of a message that is incomplete or in the handler.
 */
final class ReassemblingIntake implements Intake {

    private final Reassembler reassembler;
    private final Counters counters;
    private final boolean watermark;

    ReassemblingIntake(ReassemblyConfig config, Counters counters, boolean watermark) {
        this.reassembler = new Reassembler(config);
        this.counters = counters;
        this.watermark = watermark;
    }

    @Override
    public boolean offer(PartitionState state, ConsumerRecord<byte[], byte[]> raw, Object lane, Sink sink) {
        Reassembler.Result result = reassembler.add(raw);
        if (result.discarded()) {
            state.completed(raw.offset());
        }
        for (DroppedMessage d : result.dropped()) {
            if (!sink.dropped(d)) {
                return false;
            }
        }
        AssembledMessage m = result.message();
        if (m == null) {
            return true;
        }
        ConsumerRecord<byte[], byte[]> first = m.segments().get(0);
        long[] offsets = Unit.offsetsOf(m.segments());
        if (m.lastOffset() < state.deliveredWatermark()) {
            // delivered before a restart, as the group's commit records
            counters.alreadyDelivered.increment();
            for (long o : offsets) {
                state.completed(o);
            }
            return true;
        }
        ConsumerRecord<byte[], byte[]> whole = new ConsumerRecord<>(raw.topic(), raw.partition(), m.lastOffset(),
                m.timestamp(), first.timestampType(), m.key() == null ? -1 : m.key().length, m.value().length,
                m.key(), m.value(), m.headers(), first.leaderEpoch());
        return sink.deliver(new Unit(state, m.segments(), whole, offsets, lane));
    }

    @Override
    public List<DroppedMessage> expire() {
        return reassembler.expire();
    }

    @Override
    public void forget(TopicPartition partition) {
        // never committed past: whoever reads the partition next reads these segments again
        reassembler.forget(partition);
    }

    @Override
    public ReassemblyStats stats() {
        return reassembler.stats();
    }

    @Override
    public boolean writesWatermark() {
        return watermark;
    }
}
