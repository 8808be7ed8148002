package io.kafkalab.consumer.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import io.kafkalab.consumer.Acknowledgment;
import io.kafkalab.consumer.ConsumerRunnerListener;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consume-process-produce exactly once, on the poll thread: one transaction per poll. The first record handled
 * begins it; each record's handler sends into it; at the end of the poll the offsets after the records done are
 * sent in it with the consumer's group metadata ({@code sendOffsetsToTransaction}) and it commits. The runner's
 * own commits are off.
 *
 * <p><b>A handler failure</b> aborts the transaction (the failed handler may have sent some of its records), seeks
 * every partition of the poll back to its first record, and remembers the failure. The next poll does the records
 * before it again, in a new transaction, and asks the error policy about the failed record there, inside that
 * transaction: SKIP and DEAD_LETTERED commit its offset with the transaction (a dead letter sent through the
 * transactional producer commits with it); RETRY commits the records before it, seeks its partition back to it and
 * pauses the partition until the retry is due (the others go on), and the attempt count goes on when it is read
 * again; STOP commits the records before it and stops the runner. A poison pill runs no handler, so it is decided
 * in the open transaction at once.
 *
 * <p><b>A commit that fails</b> (a send of the transaction failed, or the group rebalanced so that the offsets are
 * refused, KIP-447) aborts; the poll's partitions are sought back, and the next poll (which joins the rebalance)
 * reads them again from the committed offsets. A failed send is pinned on the record whose handler sent it, which
 * then goes to the error policy. When the abort itself fails, or the producer was fenced (another producer took
 * its {@code transactional.id}), the producer is closed and the runner stops with Kafka's exception.
 */
final class TransactionalDispatcher implements Dispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionalDispatcher.class);
    private static final Acknowledgment NO_ACK = () -> { };

    /** A handler failure whose transaction was aborted: the error policy decides when the record is read again. */
    private record Pending(int attempt, Throwable error) {
    }

    /** A record's place. */
    private record At(TopicPartition partition, long offset) {
    }

    /** Where a record leaves the poll: on with the next record, the next partition, or done with the poll. */
    private enum Flow { NEXT_RECORD, NEXT_PARTITION, STOP, ABORTED }

    private final String name;
    private final Offsets offsets;
    private final Handling<?, ?> handling;
    private final Control control;
    private final Transactions tx;
    private final Counters counters;
    private final ConsumerRunnerListener listener;
    private final Duration closeTimeout;
    private final LongSupplier nanoTime;
    private Consumer<byte[], byte[]> consumer;

    /** The open transaction's poll: each partition's first record, where an abort seeks back to. */
    private final Map<TopicPartition, Long> firstPolled = new LinkedHashMap<>();
    /** The open transaction's offsets: after the last record done, per partition. */
    private final Map<TopicPartition, OffsetAndMetadata> toCommit = new LinkedHashMap<>();
    /** Failures waiting for their record to be read again. */
    private final Map<At, Pending> pending = new HashMap<>();
    /** Failures decided (skipped, dead-lettered) in the open transaction: pending again if it aborts. */
    private final Map<At, Pending> decided = new HashMap<>();
    /** Partitions held for a retry. */
    private final List<PartitionState> holding = new ArrayList<>();
    private final Map<TopicPartition, Long> lastCommitted = new HashMap<>();
    /** Records taken from the limit in the open transaction. */
    private long taken;

    TransactionalDispatcher(String name, Offsets offsets, Handling<?, ?> handling, Control control, Transactions tx,
                            ConsumerRunnerListener listener, Duration closeTimeout, LongSupplier nanoTime) {
        this.name = name;
        this.offsets = offsets;
        this.handling = handling;
        this.control = control;
        this.tx = tx;
        this.counters = handling.counters();
        this.listener = listener;
        this.closeTimeout = closeTimeout;
        this.nanoTime = nanoTime;
    }

    void start(Consumer<byte[], byte[]> c) {
        this.consumer = c;
    }

    @Override
    public void dispatch(ConsumerRecords<byte[], byte[]> polled) {
        List<PartitionState> taking = new ArrayList<>();
        for (TopicPartition tp : polled.partitions()) {
            PartitionState ps = offsets.get(tp);
            if (ps != null && ps.assigned() && (ps.retry == null || ps.retry.resumed)) {
                // (a held partition's records were fetched before the pause: they are fetched again)
                taking.add(ps);
                firstPolled.put(tp, polled.records(tp).get(0).offset());
            }
        }
        outer:
        for (PartitionState ps : taking) {
            for (ConsumerRecord<byte[], byte[]> r : polled.records(ps.partition)) {
                Flow flow = one(ps, r);
                if (flow == Flow.ABORTED) {
                    return;
                } else if (flow == Flow.STOP) {
                    break outer;
                } else if (flow == Flow.NEXT_PARTITION) {
                    break;
                }
            }
        }
        commitOpen();
    }

    private Flow one(PartitionState ps, ConsumerRecord<byte[], byte[]> r) {
        if (!control.go()) {
            return Flow.STOP;
        }
        TopicPartition tp = ps.partition;
        long offset = r.offset();
        int attempt = 1;
        RetryHold hold = ps.retry;
        if (hold != null && offset >= hold.offset) {
            // the held record read again: its attempts go on (unless it is gone, say by retention)
            attempt = offset == hold.offset ? hold.attempt : 1;
            unhold(ps);
        }
        if (!control.take(1)) {
            return Flow.STOP;
        }
        tx.begin();
        taken++;
        Unit unit;
        Handling.Step step;
        At at = new At(tp, offset);
        Pending p = pending.isEmpty() ? null : pending.remove(at);
        if (p != null) {
            // the record whose handler failed in an aborted transaction: the policy decides now, in this one
            unit = unit(ps, r, p.attempt);
            step = handling.afterFailure(unit, p.error);
            if (step.result() == Handling.Result.DONE) {
                decided.put(at, p);
            }
        } else {
            Throwable failure;
            tx.handling(tp, offset, attempt);
            try {
                failure = handling.handleOnce(r, NO_ACK);
            } finally {
                tx.handling(null, -1, 0);
            }
            if (failure == null) {
                done(ps, r);
                return Flow.NEXT_RECORD;
            }
            if (Handling.ranHandler(failure)) {
                // the handler may have sent some of its records: none of this transaction may commit
                LOG.debug("{}: handler failed at {}-{}@{}; aborting the transaction", name, tp.topic(),
                        tp.partition(), offset);
                pending.put(at, new Pending(attempt, failure));
                abort(failure instanceof RuntimeException e ? e : null);
                return Flow.ABORTED;
            }
            unit = unit(ps, r, 1); // a poison pill: no handler ran, nothing was sent
            step = handling.afterFailure(unit, failure);
        }
        switch (step.result()) {
            case DONE -> {
                done(ps, r); // skipped or dead-lettered: its offset commits with this transaction
                return Flow.NEXT_RECORD;
            }
            case RETRY -> {
                taken--;
                control.giveBack(1);
                hold(ps, offset, unit.attempt, step.delay());
                return Flow.NEXT_PARTITION;
            }
            default -> {
                return Flow.STOP; // the records before it commit; it does not
            }
        }
    }

    private static Unit unit(PartitionState ps, ConsumerRecord<byte[], byte[]> r, int attempt) {
        Unit u = new Unit(ps, List.of(r), r, null, null);
        u.attempt = attempt;
        return u;
    }

    private void done(PartitionState ps, ConsumerRecord<byte[], byte[]> r) {
        ps.passed(r.offset());
        toCommit.put(ps.partition, new OffsetAndMetadata(r.offset() + 1, r.leaderEpoch(), ""));
    }

    /** Commits the open transaction with the offsets of the records done; on failure aborts (see the class doc). */
    private void commitOpen() {
        if (!tx.open()) {
            clear();
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = Map.copyOf(toCommit);
        try {
            tx.commit(offsets, consumer.groupMetadata());
        } catch (RuntimeException e) {
            counters.commitFailures.increment();
            Transactions.SendFailure sent = tx.sendFailure();
            if (sent != null && this.offsets.get(sent.partition()) != null) {
                pending.put(new At(sent.partition(), sent.offset()), new Pending(sent.attempt(), sent.error()));
            }
            LOG.warn("{}: committing the transaction of {} failed; aborting, the records are read again: {}", name,
                    offsets, e.toString());
            control.notifyListener(() -> listener.onCommitFailed(offsets, e));
            abort(e);
            if (fenced(e) != null) {
                tx.close(Duration.ZERO);
                throw fenced(e);
            }
            return;
        }
        counters.commits.increment();
        counters.transactionsCommitted.increment();
        offsets.forEach((tp, o) -> lastCommitted.merge(tp, o.offset(), Math::max));
        counters.lastCommitted = Map.copyOf(lastCommitted);
        LOG.debug("{} committed a transaction with {}", name, offsets);
        if (!offsets.isEmpty()) {
            control.notifyListener(() -> listener.onCommitted(offsets));
        }
        clear();
    }

    private void clear() {
        firstPolled.clear();
        toCommit.clear();
        decided.clear();
        taken = 0;
    }

    /**
     * Aborts the open transaction and seeks the poll's partitions back to their first record; the failures decided
     * in it are pending again, the records taken from the limit are given back.
     *
     * @param cause what made the commit or the handler fail, or null
     * @throws RuntimeException when the abort failed: the fencing exception when there is one, else the abort's
     */
    private void abort(RuntimeException cause) {
        RuntimeException abortError = tx.abort();
        counters.transactionsAborted.increment();
        control.giveBack(taken);
        decided.forEach(pending::putIfAbsent);
        decided.clear();
        Set<TopicPartition> assignment = consumer.assignment();
        firstPolled.forEach((tp, first) -> {
            if (assignment.contains(tp)) {
                consumer.seek(tp, first);
            }
        });
        clear();
        if (abortError != null) {
            RuntimeException fenced = fenced(abortError);
            RuntimeException thrown = fenced != null ? fenced : cause != null && fenced(cause) != null ? fenced(cause)
                    : abortError;
            if (cause != null && cause != thrown) {
                thrown.addSuppressed(cause);
            }
            throw thrown;
        }
    }

    /** @return the fencing exception in {@code e}'s causes (another producer or group member took over), or null */
    private static RuntimeException fenced(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof FencedInstanceIdException) {
                return (RuntimeException) t;
            }
        }
        return null;
    }

    /** Holds the partition at {@code offset} for {@code delay}: sought back to it and paused. */
    private void hold(PartitionState ps, long offset, int attempt, Duration delay) {
        ps.retry = new RetryHold(offset, attempt, nanoTime.getAsLong() + delay.toNanos());
        consumer.seek(ps.partition, offset);
        consumer.pause(List.of(ps.partition));
        ps.paused = true;
        holding.add(ps);
        counters.awaitingRetry = holding.size();
    }

    private void unhold(PartitionState ps) {
        ps.retry = null;
        holding.remove(ps);
        counters.awaitingRetry = holding.size();
    }

    /** Resumes the partitions whose retry is due. */
    @Override
    public void collect() {
        List<TopicPartition> due = holding.isEmpty() ? List.of() : RetryHold.resumeDue(holding, nanoTime.getAsLong());
        if (!due.isEmpty()) {
            consumer.resume(due);
        }
    }

    @Override
    public Duration untilNextDue(Duration pollTimeout) {
        return RetryHold.untilNextDue(holding, nanoTime.getAsLong(), pollTimeout);
    }

    /** Revoked or lost (between polls: no transaction is open): holds and pending failures are forgotten. */
    @Override
    public void release(Collection<PartitionState> states, Duration timeout, boolean lost) {
        for (PartitionState ps : states) {
            pending.keySet().removeIf(at -> at.partition().equals(ps.partition));
            if (ps.retry != null) {
                unhold(ps);
                ps.paused = false;
            }
        }
    }

    @Override
    public void shutdown() {
        tx.close(closeTimeout);
    }
}
