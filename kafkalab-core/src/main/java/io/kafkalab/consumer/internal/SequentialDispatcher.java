package io.kafkalab.consumer.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.LongSupplier;
import io.kafkalab.consumer.Acknowledgment;
import io.kafkalab.segment.DroppedMessage;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

/**
 * Handles records on the poll thread, one record (or batch) at a time, in offset order per partition: today's
 * behaviour and the fastest path. Commits are asked for after every record or batch. With plain records and no limit
 * nothing is kept per record: a record completes as it is handed out.
 *
 * <p>A retry never waits on the poll thread ("seek to current"): the failed record's partition is sought back to it
 * and paused, the rest of that partition's records in the poll are dropped (not handled, so not committed), and the
 * other partitions go on. When the retry is due the partition is resumed, the next poll fetches the record again,
 * and its attempt count goes on ({@link RetryHold}). Records of a reassembling runner still wait in place: the
 * reassembler's buffered segments cannot be re-read that way.
 */
final class SequentialDispatcher implements Dispatcher, Intake.Sink {

    private final Offsets offsets;
    private final Intake intake;
    private final boolean plain;
    private final Handling<?, ?> handling;
    private final Committer committer;
    private final Control control;
    private final int maxBatchSize;
    private final boolean manual;
    private boolean acknowledged;
    private final Acknowledgment ack = () -> acknowledged = true;
    private final LongSupplier nanoTime;
    /** Milliseconds until a record is due (retry topics), or null when every record is due at once. */
    private final java.util.function.ToLongFunction<ConsumerRecord<byte[], byte[]>> untilDue;
    /** Partitions held for a retry, in the order they were held. */
    private final List<PartitionState> holding = new ArrayList<>();
    private Consumer<byte[], byte[]> consumer;

    /** What became of a unit: go on with the partition, leave it (held for a retry), or stop the poll. */
    private enum Flow { GO_ON, HELD, STOP }

    SequentialDispatcher(Offsets offsets, Intake intake, Handling<?, ?> handling, Committer committer, Control control,
                         int maxBatchSize, java.util.function.ToLongFunction<ConsumerRecord<byte[], byte[]>> untilDue) {
        this(offsets, intake, handling, committer, control, maxBatchSize, untilDue, System::nanoTime);
    }

    SequentialDispatcher(Offsets offsets, Intake intake, Handling<?, ?> handling, Committer committer, Control control,
                         int maxBatchSize, java.util.function.ToLongFunction<ConsumerRecord<byte[], byte[]>> untilDue,
                         LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.untilDue = untilDue;
        this.offsets = offsets;
        this.intake = intake;
        this.plain = intake instanceof PlainIntake;
        this.handling = handling;
        this.committer = committer;
        this.control = control;
        this.maxBatchSize = maxBatchSize;
        this.manual = committer.manual();
    }

    void start(Consumer<byte[], byte[]> c) {
        this.consumer = c;
    }

    @Override
    public void dispatch(ConsumerRecords<byte[], byte[]> polled) {
        for (TopicPartition tp : polled.partitions()) {
            PartitionState ps = offsets.get(tp);
            if (ps != null && !heldBack(ps)) {
                ps.resumeAt = polled.records(tp).get(0).offset();
            }
        }
        for (TopicPartition tp : polled.partitions()) {
            PartitionState ps = offsets.get(tp);
            if (ps == null || !ps.assigned() || heldBack(ps)) {
                continue; // a held partition's records were fetched before the pause: they are fetched again
            }
            boolean more = plain ? plain(ps, polled.records(tp)) : reassembling(ps, polled.records(tp));
            if (!more) {
                return;
            }
            if (ps.retry == null) {
                ps.resumeAt = -1;
            }
        }
        if (!plain && control.go()) {
            for (DroppedMessage d : intake.expire()) {
                if (!dropped(d)) {
                    return;
                }
            }
        }
    }

    private boolean goOn() {
        return control.go() && !committer.abandoned();
    }

    /** @return whether the partition is held for a retry that is not due yet */
    private static boolean heldBack(PartitionState ps) {
        return ps.retry != null && !ps.retry.resumed;
    }

    private boolean plain(PartitionState ps, List<ConsumerRecord<byte[], byte[]>> raw) {
        int attempt = 1;
        if (ps.retry != null) {
            // the held record fetched again: its attempts go on (unless it is gone, say by retention)
            if (raw.get(0).offset() == ps.retry.offset) {
                attempt = ps.retry.attempt;
            }
            unhold(ps);
        }
        int i = 0;
        while (i < raw.size()) {
            if (!goOn()) {
                return false;
            }
            ConsumerRecord<byte[], byte[]> first = raw.get(i);
            ps.resumeAt = first.offset();
            if (ps.completedBefore(first.offset())) {
                ps.passed(first.offset());
                offsets.counters.alreadyCompleted.increment();
                i++;
                continue;
            }
            long wait = untilDue == null ? 0 : untilDue.applyAsLong(first);
            if (wait > 0) {
                // a retry topic's record that is not due yet: the partition waits for it, paused
                holdAt(ps, first.offset(), 1, Duration.ofMillis(wait));
                return true;
            }
            int n = Math.min(maxBatchSize, raw.size() - i);
            if (n > 1) {
                // a batch ends before a record that completed before a restart
                for (int j = i + 1; j < i + n; j++) {
                    if (ps.completedBefore(raw.get(j).offset())) {
                        n = j - i;
                        break;
                    }
                }
            }
            n = (int) Math.min(n, control.remaining());
            if (n == 0 || !control.take(n)) {
                return false;
            }
            Flow flow;
            if (n == 1 && !handling.batches()) {
                // the fast path of a record handler: nothing is kept for a record handled at the first attempt
                acknowledged = false;
                Throwable failure = handling.handleOnce(first, ack);
                if (failure == null) {
                    ps.passed(first.offset());
                    finished(ps, 1, false);
                    flow = committer.abandoned() ? Flow.STOP : Flow.GO_ON;
                } else {
                    flow = run(unit(ps, List.of(first), first, attempt), failure);
                }
            } else {
                flow = run(unit(ps, raw.subList(i, i + n), null, attempt), null);
            }
            if (flow != Flow.GO_ON) {
                return flow == Flow.HELD; // held: the rest of this partition's records wait, the others go on
            }
            attempt = 1;
            i += n;
        }
        return true;
    }

    private static Unit unit(PartitionState ps, List<ConsumerRecord<byte[], byte[]>> raw,
                             ConsumerRecord<byte[], byte[]> whole, int attempt) {
        Unit u = new Unit(ps, raw, whole, null, null);
        u.attempt = attempt;
        return u;
    }

    private boolean reassembling(PartitionState ps, List<ConsumerRecord<byte[], byte[]>> raw) {
        for (ConsumerRecord<byte[], byte[]> r : raw) {
            if (!goOn()) {
                return false;
            }
            ps.resumeAt = r.offset();
            if (ps.completedBefore(r.offset())) {
                ps.passed(r.offset());
                offsets.counters.alreadyCompleted.increment();
                continue;
            }
            if (control.limitReached()) {
                return false;
            }
            ps.handedOut(r.offset());
            if (!intake.offer(ps, r, null, this)) {
                return false;
            }
            ps.passedWatermark(r.offset() + 1);
        }
        return true;
    }

    @Override
    public boolean deliver(Unit unit) {
        if (!control.take(1)) {
            return false; // not handed to the handler: its segments stay incomplete, so not committed
        }
        return run(unit, null) == Flow.GO_ON;
    }

    @Override
    public boolean dropped(DroppedMessage d) {
        PartitionState ps = offsets.dropped(d, handling);
        if (ps == null) {
            return control.go();
        }
        finished(ps, d.segments().size(), true);
        return true;
    }

    /**
     * Runs a unit until it is done, held for a retry (plain records), or the poll stops. A reassembled message's
     * retries wait in place.
     *
     * @param failure the failure of a first attempt made already (the fast path), or null
     */
    private Flow run(Unit unit, Throwable failure) {
        int doneBefore = 0;
        Throwable first = failure;
        while (true) {
            if (committer.abandoned()) {
                return Flow.STOP;
            }
            Handling.Step step;
            if (first != null) {
                step = handling.afterFailure(unit, first);
                first = null;
            } else {
                acknowledged = false;
                step = handling.attempt(unit, ack);
            }
            switch (step.result()) {
                case DONE -> {
                    complete(unit, unit.size() - doneBefore, step.recovered());
                    return committer.abandoned() ? Flow.STOP : Flow.GO_ON;
                }
                case RETRY -> {
                    if (unit.from > doneBefore) {
                        // the records of the batch before the failed one are done
                        completeUpTo(unit, unit.from);
                        doneBefore = unit.from;
                    }
                    if (plain) {
                        hold(unit, step.delay());
                        return committer.abandoned() ? Flow.STOP : Flow.HELD;
                    }
                    if (!control.sleep(step.delay())) {
                        return Flow.STOP;
                    }
                }
                case STOP -> {
                    if (unit.from > doneBefore) {
                        completeUpTo(unit, unit.from);
                    }
                    return Flow.STOP;
                }
            }
        }
    }

    /**
     * Holds the unit's partition at its failed record: seeks back to it and pauses, so that nothing after it is
     * handled (or committed) before it; the records taken from the limit and not done are given back.
     */
    private void hold(Unit unit, Duration delay) {
        holdAt(unit.state, unit.raw.get(unit.from).offset(), unit.attempt, delay);
        control.giveBack(unit.size() - unit.from);
    }

    /** Holds the partition at {@code offset} for {@code delay}: sought back to it and paused. */
    private void holdAt(PartitionState ps, long offset, int attempt, Duration delay) {
        ps.retry = new RetryHold(offset, attempt, nanoTime.getAsLong() + delay.toNanos());
        ps.resumeAt = offset;
        List<TopicPartition> one = List.of(ps.partition);
        consumer.seek(ps.partition, offset);
        consumer.pause(one);
        ps.paused = true;
        holding.add(ps);
        offsets.counters.awaitingRetry = holding.size();
        offsets.counters.inFlight = holding.size();
    }

    private void unhold(PartitionState ps) {
        ps.retry = null;
        holding.remove(ps);
        offsets.counters.awaitingRetry = holding.size();
        offsets.counters.inFlight = holding.size();
    }

    private void complete(Unit unit, int records, boolean recovered) {
        PartitionState ps = unit.state;
        if (unit.offsets == null) {
            ps.passed(unit.raw.get(unit.raw.size() - 1).offset());
        } else {
            for (long o : unit.offsets) {
                ps.completed(o);
            }
        }
        finished(ps, records, recovered);
    }

    private void completeUpTo(Unit unit, int index) {
        unit.state.passed(unit.raw.get(index - 1).offset());
        unit.state.resumeAt = unit.raw.get(index).offset();
        finished(unit.state, index, false);
    }

    private void finished(PartitionState ps, int records, boolean recovered) {
        committer.done(records);
        if (manual && (acknowledged || recovered)) {
            if (acknowledged) {
                offsets.acknowledgeAll();
                committer.acknowledged();
            } else {
                ps.acknowledgeAll();
            }
        }
        committer.maybeCommit(false, offsets.all());
        acknowledged = false;
    }

    /** Resumes the partitions whose retry is due, so that the next poll fetches their held record again. */
    @Override
    public void collect() {
        if (holding.isEmpty()) {
            return;
        }
        List<TopicPartition> due = RetryHold.resumeDue(holding, nanoTime.getAsLong());
        if (!due.isEmpty()) {
            consumer.resume(due);
        }
    }

    @Override
    public Duration untilNextDue(Duration pollTimeout) {
        return holding.isEmpty() ? pollTimeout : RetryHold.untilNextDue(holding, nanoTime.getAsLong(), pollTimeout);
    }

    /** Revoked or lost: a hold is forgotten; its record was not done, so it is not committed and its next owner reads it. */
    @Override
    public void release(Collection<PartitionState> states, Duration timeout, boolean lost) {
        for (PartitionState ps : states) {
            if (ps.retry != null) {
                unhold(ps);
                ps.paused = false;
            }
        }
    }

    @Override
    public void shutdown() {
    }
}
