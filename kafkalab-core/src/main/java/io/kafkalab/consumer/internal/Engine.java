package io.kafkalab.consumer.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import io.kafkalab.consumer.AcknowledgingBatchHandler;
import io.kafkalab.consumer.AcknowledgingRecordHandler;
import io.kafkalab.consumer.CommitMode;
import io.kafkalab.consumer.CommitPolicy;
import io.kafkalab.consumer.ConsumerRunnerListener;
import io.kafkalab.consumer.ErrorPolicy;
import io.kafkalab.consumer.Ordering;
import io.kafkalab.consumer.RunnerMetrics;
import io.kafkalab.segment.ReassemblyConfig;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The parts of a runner, chosen once when it is built: the intake (plain or reassembling), the dispatcher
 * (sequential or concurrent), the committer, the partitions' offsets and the counters; and what the loop does
 * with them after each poll and on rebalance and close. Poll thread only, except {@link #metrics()}.
 */
public final class Engine {

    /**
     * A runner's settings.
     *
     * @param handlerThreadMarker set to {@code owner} on handler threads while they run the runner's handlers
     * @param untilDue            milliseconds until a record may be handled (retry topics), or null
     * @param transactions        the producer of an exactly-once runner, or null
     * @param closeTimeout        bound on closing what the engine owns (the transactional producer)
     */
    public record Settings(String name, String groupId, CommitPolicy commitPolicy, CommitMode commitMode,
                           ErrorPolicy errorPolicy, ConsumerRunnerListener listener, Clock clock,
                           ReassemblyConfig reassembly, boolean concurrent, Ordering ordering, Ordering nullKeys,
                           int concurrency, int maxInFlight, long maxInFlightBytes, int maxBatchSize,
                           Executor executor, ThreadLocal<Object> handlerThreadMarker, Object owner,
                           java.util.function.ToLongFunction<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> untilDue,
                           Transactions transactions, java.time.Duration closeTimeout) {

        /** @return the engine */
        public <K, V> Engine build(org.apache.kafka.common.serialization.Deserializer<K> keyDeserializer,
                                   org.apache.kafka.common.serialization.Deserializer<V> valueDeserializer,
                                   AcknowledgingRecordHandler<K, V> recordHandler,
                                   AcknowledgingBatchHandler<K, V> batchHandler, Control control) {
            return new Engine(this, new Handling<>(name, groupId, keyDeserializer, valueDeserializer, recordHandler,
                    batchHandler, errorPolicy, listener, new Counters(), control), control);
        }
    }

    private final Counters counters;
    private final Control control;
    private final Intake intake;
    private final Offsets offsets;
    private final Committer committer;
    private final Dispatcher dispatcher;
    private final ConcurrentDispatcher concurrent;
    private final SequentialDispatcher sequential;
    private final TransactionalDispatcher transactional;
    private Consumer<byte[], byte[]> consumer;

    private Engine(Settings s, Handling<?, ?> handling, Control control) {
        this.counters = handling.counters();
        this.control = control;
        boolean manual = s.commitPolicy() instanceof CommitPolicy.Manual;
        this.intake = s.reassembly() == null ? new PlainIntake()
                : new ReassemblingIntake(s.reassembly(), counters, !s.concurrent());
        this.offsets = new Offsets(counters, manual && !s.concurrent());
        this.committer = new Committer(s.name(), s.commitPolicy(), s.commitMode(), s.clock(), counters, control,
                s.listener(), s.concurrent() || s.reassembly() != null, intake.writesWatermark(),
                s.transactions() != null);
        if (s.transactions() != null) {
            this.concurrent = null;
            this.sequential = null;
            this.transactional = new TransactionalDispatcher(s.name(), offsets, handling, control, s.transactions(),
                    s.listener(), s.closeTimeout(), System::nanoTime);
            this.dispatcher = transactional;
        } else if (s.concurrent()) {
            this.transactional = null;
            this.concurrent = new ConcurrentDispatcher(s.name(), offsets, intake, handling, committer, control,
                    counters, s.ordering(), s.nullKeys(), s.concurrency(), s.maxInFlight(), s.maxInFlightBytes(),
                    s.maxBatchSize(), s.executor(), s.handlerThreadMarker(), s.owner());
            this.dispatcher = concurrent;
            this.sequential = null;
        } else {
            this.transactional = null;
            this.concurrent = null;
            this.sequential = new SequentialDispatcher(offsets, intake, handling, committer, control,
                    s.maxBatchSize(), s.untilDue());
            this.dispatcher = sequential;
        }
    }

    /** The loop begins with this consumer. */
    public void start(Consumer<byte[], byte[]> c) {
        this.consumer = c;
        committer.start(c);
        if (concurrent != null) {
            concurrent.start(c);
        } else if (transactional != null) {
            transactional.start(c);
        } else {
            sequential.start(c);
        }
    }

    /**
     * @param pollTimeout the runner's poll timeout
     * @return how long the next poll may wait: never past the due time of a retry held on the poll thread
     */
    public Duration pollTimeout(Duration pollTimeout) {
        return dispatcher.untilNextDue(pollTimeout);
    }

    /** @return whether the record limit was reached and everything handed out is done */
    public boolean finished() {
        return control.limitReached() && dispatcher.idle();
    }

    /** @return whether records wait for capacity */
    public boolean blocked() {
        return dispatcher.blocked();
    }

    /** Waits up to {@code timeout} for a record to complete. */
    public void awaitProgress(Duration timeout) {
        dispatcher.awaitProgress(timeout);
    }

    /** Collects completions; hands out held records. */
    public void collect() {
        dispatcher.collect();
    }

    /** Everything after a poll: dispatch, commit at the end of the poll (or rewind after a lost commit), lag. */
    public void afterPoll(ConsumerRecords<byte[], byte[]> polled) {
        dispatcher.dispatch(polled);
        if (committer.takeAbandon()) {
            // a commit failed because the group moved on: the rest of this poll is not ours to process now;
            // rewind so that partitions we keep are read again from the first record not complete
            rewind();
        } else if (control.stopCause() == null) {
            committer.maybeCommit(true, offsets.all());
        }
        counters.reassembly = intake.stats();
        updateLag();
    }

    /** Moves positions back to the first record not complete (so that Kafka's auto-commit on close stops there). */
    public void rewind() {
        if (consumer == null) {
            return;
        }
        Set<TopicPartition> assignment = consumer.assignment();
        for (PartitionState ps : offsets.all()) {
            long to = ps.rewindTo();
            if (to >= 0 && assignment.contains(ps.partition)) {
                consumer.seek(ps.partition, to);
            }
        }
    }

    /** The loop ended normally: drain (bounded), rewind, commit, stop the handler threads. */
    public void finish(Duration timeout) {
        try {
            dispatcher.drain(timeout, false);
            rewind();
            committer.commitNow(new ArrayList<>(offsets.all()));
        } finally {
            dispatcher.shutdown();
        }
    }

    /** The loop failed: stop the handler threads. */
    public void shutdown() {
        dispatcher.shutdown();
    }

    /** Partitions are being revoked: wait (bounded) for their records in the handler, commit, let go. */
    public void revoked(Collection<TopicPartition> partitions, Duration timeout) {
        List<PartitionState> states = statesOf(partitions);
        dispatcher.release(states, timeout, false);
        committer.commitNow(states);
        forget(partitions);
    }

    /** Partitions were lost: nothing is committed for them. */
    public void lost(Collection<TopicPartition> partitions) {
        dispatcher.release(statesOf(partitions), Duration.ZERO, true);
        forget(partitions);
    }

    /** Partitions were assigned, with the group's last commits for them (absent or null where none). */
    public void assigned(Collection<TopicPartition> partitions, Map<TopicPartition, OffsetAndMetadata> commits) {
        for (TopicPartition tp : partitions) {
            offsets.assign(tp, commits.get(tp));
        }
        if (concurrent == null && consumer != null) {
            // a partition kept paused across a rebalance (say, for a retry whose hold was forgotten) reads again
            List<TopicPartition> paused = new ArrayList<>(consumer.paused());
            paused.retainAll(partitions);
            if (!paused.isEmpty()) {
                consumer.resume(paused);
            }
        }
    }

    /** @return the metrics as of now; any thread */
    public RunnerMetrics metrics() {
        return counters.snapshot();
    }

    /** @return the counters (for what the loop counts itself: a stop by the authorizer) */
    public Counters counters() {
        return counters;
    }

    private List<PartitionState> statesOf(Collection<TopicPartition> partitions) {
        List<PartitionState> states = new ArrayList<>(partitions.size());
        for (TopicPartition tp : partitions) {
            PartitionState ps = offsets.get(tp);
            if (ps != null) {
                states.add(ps);
            }
        }
        return states;
    }

    private void forget(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            offsets.remove(tp);
            intake.forget(tp);
            committer.forget(tp);
        }
    }

    private void updateLag() {
        Map<TopicPartition, Long> lag = new HashMap<>();
        for (TopicPartition tp : consumer.assignment()) {
            consumer.currentLag(tp).ifPresent(l -> lag.put(tp, l));
        }
        counters.lag = Map.copyOf(lag);
    }
}
