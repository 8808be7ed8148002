package io.kafkalab.consumer.internal;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** The {@link PartitionState} of every assigned partition. Poll thread only. */
public final class Offsets {

    final Counters counters;
    private final boolean manualSequential;
    private final Map<TopicPartition, PartitionState> states = new LinkedHashMap<>();

    Offsets(Counters counters, boolean manualSequential) {
        this.counters = counters;
        this.manualSequential = manualSequential;
    }

    /** @return the state of an assigned partition, or null */
    PartitionState get(TopicPartition tp) {
        return states.get(tp);
    }

    /** @return every assigned partition's state (a live view) */
    Collection<PartitionState> all() {
        return states.values();
    }

    /** A partition was assigned; {@code commit} is the group's last commit for it, or null. */
    PartitionState assign(TopicPartition tp, OffsetAndMetadata commit) {
        PartitionState ps = new PartitionState(tp);
        ps.restoreFrom(commit);
        if (manualSequential) {
            ps.limitToAcknowledged();
        }
        PartitionState old = states.put(tp, ps);
        if (old != null) {
            old.moveTo(PartitionState.Phase.GONE);
        }
        return ps;
    }

    /** A partition is gone. */
    void remove(TopicPartition tp) {
        PartitionState ps = states.remove(tp);
        if (ps != null) {
            ps.moveTo(PartitionState.Phase.GONE);
        }
    }

    /**
     * A reassembled message was given up on: asks the error policy, and completes its segments when the policy
     * is done with them.
     *
     * @return the partition's state when the segments completed; null when the runner stops (or the partition is
     *     no longer assigned)
     */
    PartitionState dropped(io.kafkalab.segment.DroppedMessage d, Handling<?, ?> handling) {
        PartitionState ps = states.get(d.partition());
        if (handling.dropped(d).result() != Handling.Result.DONE || ps == null) {
            return null;
        }
        for (org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]> r : d.segments()) {
            ps.completed(r.offset());
        }
        return ps;
    }

    /** Sequential manual acknowledgement: everything handed out so far, in every partition, may be committed. */
    void acknowledgeAll() {
        for (PartitionState ps : states.values()) {
            ps.acknowledgeAll();
        }
    }

    /** @return records handed out and not complete */
    long incomplete() {
        long n = 0;
        for (PartitionState ps : states.values()) {
            n += ps.incompleteCount();
        }
        return n;
    }
}
