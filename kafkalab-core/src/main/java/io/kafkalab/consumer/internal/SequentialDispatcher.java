package io.kafkalab.consumer.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import io.kafkalab.consumer.Acknowledgment;
import io.kafkalab.segment.DroppedMessage;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

/**
 * Handles records on the poll thread, one record (or batch) at a time, in offset order per partition: today's
 * behaviour and the fastest path. A retry waits on the poll thread. Commits are asked for after every record or
 * batch. With plain records and no limit nothing is kept per record: a record completes as it is handed out.
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

    SequentialDispatcher(Offsets offsets, Intake intake, Handling<?, ?> handling, Committer committer, Control control,
                         int maxBatchSize) {
        this.offsets = offsets;
        this.intake = intake;
        this.plain = intake instanceof PlainIntake;
        this.handling = handling;
        this.committer = committer;
        this.control = control;
        this.maxBatchSize = maxBatchSize;
        this.manual = committer.manual();
    }

    @Override
    public void dispatch(ConsumerRecords<byte[], byte[]> polled) {
        for (TopicPartition tp : polled.partitions()) {
            PartitionState ps = offsets.get(tp);
            if (ps != null) {
                ps.resumeAt = polled.records(tp).get(0).offset();
            }
        }
        for (TopicPartition tp : polled.partitions()) {
            PartitionState ps = offsets.get(tp);
            if (ps == null || !ps.assigned()) {
                continue;
            }
            boolean more = plain ? plain(ps, polled.records(tp)) : reassembling(ps, polled.records(tp));
            if (!more) {
                return;
            }
            ps.resumeAt = -1;
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

    private boolean plain(PartitionState ps, List<ConsumerRecord<byte[], byte[]>> raw) {
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
            List<ConsumerRecord<byte[], byte[]>> records = n == 1 ? List.of(first) : raw.subList(i, i + n);
            Unit unit = new Unit(ps, records, n == 1 ? first : null, null, null);
            if (!run(unit)) {
                return false;
            }
            i += n;
        }
        return true;
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
        return run(unit);
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

    /** Runs a unit to the end, retries included. @return false to stop the poll */
    private boolean run(Unit unit) {
        int doneBefore = 0;
        while (true) {
            if (committer.abandoned()) {
                return false;
            }
            acknowledged = false;
            Handling.Step step = handling.attempt(unit, ack);
            switch (step.result()) {
                case DONE -> {
                    complete(unit, unit.size() - doneBefore, step.recovered());
                    return !committer.abandoned();
                }
                case RETRY -> {
                    if (unit.from > doneBefore) {
                        // the records of the batch before the failed one are done
                        completeUpTo(unit, unit.from);
                        doneBefore = unit.from;
                    }
                    if (!control.sleep(step.delay())) {
                        return false;
                    }
                }
                case STOP -> {
                    if (unit.from > doneBefore) {
                        completeUpTo(unit, unit.from);
                    }
                    return false;
                }
            }
        }
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

    @Override
    public void collect() {
    }

    @Override
    public boolean blocked() {
        return false;
    }

    @Override
    public void awaitProgress(Duration timeout) {
    }

    @Override
    public boolean idle() {
        return true;
    }

    @Override
    public void release(Collection<PartitionState> states, Duration timeout, boolean lost) {
    }

    @Override
    public void drain(Duration timeout, boolean drainQueued) {
    }

    @Override
    public void shutdown() {
    }
}
