package io.kafkalab.consumer.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import io.kafkalab.NotAuthorizedException;
import io.kafkalab.internal.Denials;
import io.kafkalab.consumer.CommitMode;
import io.kafkalab.consumer.CommitPolicy;
import io.kafkalab.consumer.CommitState;
import io.kafkalab.consumer.ConsumerRunnerListener;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When and what to commit: asks the {@link CommitPolicy} (a {@link CommitPolicy.Periodic} one without allocating),
 * builds each partition's commit from its {@link PartitionState} (never past an incomplete record, never backwards,
 * with the completed set and watermark in the metadata when they say something), and sends it sync or async. Poll
 * thread only.
 */
public final class Committer {

    private static final Logger LOG = LoggerFactory.getLogger(Committer.class);

    private final String name;
    private final CommitPolicy policy;
    private final CommitMode mode;
    private final Clock clock;
    private final Counters counters;
    private final Control control;
    private final ConsumerRunnerListener listener;
    private final boolean withSet;
    private final boolean watermark;
    /** Exactly once: offsets commit in the producer's transactions, never here. */
    private final boolean transactional;
    private Consumer<byte[], byte[]> consumer;
    private long processedSinceCommit;
    private long lastCommitMillis;
    private boolean acknowledged;
    private boolean abandonPoll;
    /** A commit the cluster refused (no READ on the group): the runner stops with it rather than commit again. */
    private NotAuthorizedException denied;
    private final Map<TopicPartition, Long> lastCommitted = new HashMap<>();

    /**
     * @param withSet   whether commits record completed offsets above the committed one (concurrent runners)
     * @param watermark whether commits record the delivered watermark (sequential reassembly)
     */
    Committer(String name, CommitPolicy policy, CommitMode mode, Clock clock, Counters counters, Control control,
              ConsumerRunnerListener listener, boolean withSet, boolean watermark, boolean transactional) {
        this.transactional = transactional;
        this.name = name;
        this.policy = policy;
        this.mode = mode;
        this.clock = clock;
        this.counters = counters;
        this.control = control;
        this.listener = listener;
        this.withSet = withSet;
        this.watermark = watermark;
    }

    void start(Consumer<byte[], byte[]> c) {
        this.consumer = c;
        this.lastCommitMillis = clock.millis();
    }

    /** @return whether the runner commits at all (not under Kafka's auto-commit) */
    boolean commits() {
        return !transactional && !(policy instanceof CommitPolicy.KafkaAutoCommit);
    }

    boolean manual() {
        return policy instanceof CommitPolicy.Manual;
    }

    /** Records finished (handled, skipped or dead-lettered). */
    void done(long records) {
        processedSinceCommit += records;
    }

    /** An acknowledgment arrived. */
    void acknowledged() {
        acknowledged = true;
    }

    /** @return whether a commit failed because the group moved on (the rest of the poll is not ours); resets it */
    boolean takeAbandon() {
        boolean a = abandonPoll;
        abandonPoll = false;
        return a;
    }

    boolean abandoned() {
        return abandonPoll;
    }

    /** Asks the policy, and commits the given partitions if it says so. */
    void maybeCommit(boolean endOfPoll, Collection<PartitionState> states) {
        throwIfDenied();
        if (!commits() || !shouldCommit(endOfPoll)) {
            acknowledged = false;
            return;
        }
        commit(states, mode == CommitMode.SYNC);
        processedSinceCommit = 0;
        lastCommitMillis = clock.millis();
        acknowledged = false;
    }

    private boolean shouldCommit(boolean endOfPoll) {
        long n = processedSinceCommit;
        if (policy instanceof CommitPolicy.Periodic p) {
            return n > 0 && (p.records() > 0 && n >= p.records() || p.atEndOfPoll() && endOfPoll
                    || p.interval() != null && clock.millis() - lastCommitMillis >= p.interval().toMillis());
        }
        if (policy instanceof CommitPolicy.Manual) {
            return acknowledged;
        }
        return policy.shouldCommit(new CommitState(n, Duration.ofMillis(clock.millis() - lastCommitMillis), endOfPoll,
                acknowledged));
    }

    /** Commits synchronously what the given partitions may commit (revocation, close). */
    void commitNow(Collection<PartitionState> states) {
        if (commits()) {
            commit(states, true);
            throwIfDenied();
        }
    }

    private void throwIfDenied() {
        NotAuthorizedException d = denied;
        if (d != null) {
            throw d;
        }
    }

    private void commit(Collection<PartitionState> states, boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
        for (PartitionState ps : states) {
            if (ps.phase() == PartitionState.Phase.GONE) {
                continue;
            }
            OffsetAndMetadata o = ps.commitAhead(withSet, watermark ? ps.watermarkOut() : -1);
            if (o != null) {
                offsets.put(ps.partition, o);
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        if (!sync) {
            consumer.commitAsync(offsets, (done, error) -> {
                if (error == null) {
                    committed(states, done);
                } else {
                    failed(offsets, error);
                }
            });
            return;
        }
        try {
            try {
                consumer.commitSync(offsets);
            } catch (WakeupException e) {
                // close() woke the consumer while we were committing: the wakeup is spent, commit again
                consumer.commitSync(offsets);
            }
            committed(states, offsets);
        } catch (RuntimeException e) {
            failed(offsets, e);
        }
    }

    private void committed(Collection<PartitionState> states, Map<TopicPartition, OffsetAndMetadata> offsets) {
        counters.commits.increment();
        for (PartitionState ps : states) {
            OffsetAndMetadata o = offsets.get(ps.partition);
            if (o != null) {
                ps.committed(o);
            }
        }
        offsets.forEach((tp, o) -> lastCommitted.merge(tp, o.offset(), Math::max));
        counters.lastCommitted = Map.copyOf(lastCommitted);
        LOG.debug("{} committed {}", name, offsets);
        control.notifyListener(() -> listener.onCommitted(offsets));
    }

    private void failed(Map<TopicPartition, OffsetAndMetadata> offsets, Exception error) {
        counters.commitFailures.increment();
        if (error instanceof CommitFailedException || error instanceof RebalanceInProgressException) {
            abandonPoll = true;
        }
        if (denied == null) {
            denied = Denials.ofConsume(error, groupOf(consumer)).orElse(null);
        }
        LOG.warn("{}: commit of {} failed: {}", name, offsets, error.toString());
        control.notifyListener(() -> listener.onCommitFailed(offsets, error));
    }

    private static String groupOf(Consumer<byte[], byte[]> consumer) {
        try {
            return consumer.groupMetadata().groupId();
        } catch (RuntimeException e) {
            return "?";
        }
    }

    /** A partition is gone: the next commit's snapshot no longer shows it. */
    void forget(TopicPartition tp) {
        lastCommitted.remove(tp);
    }
}
