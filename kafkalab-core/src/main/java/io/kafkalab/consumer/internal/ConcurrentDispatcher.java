package io.kafkalab.consumer.internal;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import io.kafkalab.consumer.Acknowledgment;
import io.kafkalab.consumer.Ordering;
import io.kafkalab.segment.DroppedMessage;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands records to a pool of handler threads, at most {@code concurrency} handler calls at once, in lanes: one lane
 * per partition ({@link Ordering#PARTITION}), per key ({@link Ordering#KEY}), or none ({@link Ordering#UNORDERED}).
 * A lane runs one unit at a time, in offset order; a unit under retry holds only its lane (the retry is scheduled,
 * no thread waits). Completions go back to the poll thread through a queue, so a partition's offsets are only ever
 * touched by the poll thread.
 *
 * <p>Back-pressure: at most {@code maxInFlight} records (not counting those waiting for a retry) and
 * {@code maxInFlightBytes} bytes (counting them) are handed out and not complete; a partition whose commit metadata would outgrow its budget waits for its oldest record. Records that
 * cannot be handed out yet are held, and their partitions paused at the consumer until they are, so memory stays
 * bounded (by the limits plus one poll) whatever the handler's speed, and the poll loop never waits on a handler.
 */
final class ConcurrentDispatcher implements Dispatcher, Intake.Sink {

    private static final Logger LOG = LoggerFactory.getLogger(ConcurrentDispatcher.class);

    private final String name;
    private final Offsets offsets;
    private final Intake intake;
    private final Handling<?, ?> handling;
    private final Committer committer;
    private final Control control;
    private final Counters counters;
    private final Ordering ordering;
    private final Ordering nullKeys;
    private final int concurrency;
    private final int maxInFlight;
    private final long maxInFlightBytes;
    private final int maxBatchSize;
    private final boolean manual;
    private final Executor executor;
    private final ExecutorService ownedPool;
    private final ScheduledExecutorService retryTimer;
    private Consumer<byte[], byte[]> consumer;
    private final ThreadLocal<Object> marker;
    private final Object owner;

    // shared with handler threads
    private final ConcurrentHashMap<Object, Lane> lanes = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Unit> ready = new ConcurrentLinkedQueue<>();
    private final AtomicInteger loops = new AtomicInteger();
    private final LinkedBlockingQueue<Unit> completions = new LinkedBlockingQueue<>();
    /** Units whose retry is scheduled and not due yet; whoever removes one (timer or poll thread) owns it. */
    private final ConcurrentHashMap<Unit, java.util.concurrent.Future<?>> waiting = new ConcurrentHashMap<>();
    private static final java.util.concurrent.Future<?> SCHEDULING = java.util.concurrent.CompletableFuture.completedFuture(null);

    // poll thread
    private long inFlight;
    private long inFlightBytes;
    private final java.util.Map<PartitionState, Integer> inFlightPerPartition = new java.util.IdentityHashMap<>();
    private int held;

    ConcurrentDispatcher(String name, Offsets offsets, Intake intake, Handling<?, ?> handling, Committer committer,
                         Control control, Counters counters, Ordering ordering, Ordering nullKeys, int concurrency,
                         int maxInFlight, long maxInFlightBytes, int maxBatchSize, Executor userExecutor,
                         ThreadLocal<Object> marker, Object owner) {
        this.marker = marker;
        this.owner = owner;
        this.name = name;
        this.offsets = offsets;
        this.intake = intake;
        this.handling = handling;
        this.committer = committer;
        this.control = control;
        this.counters = counters;
        this.ordering = ordering;
        this.nullKeys = nullKeys;
        this.concurrency = concurrency;
        this.maxInFlight = maxInFlight;
        this.maxInFlightBytes = maxInFlightBytes;
        this.maxBatchSize = maxBatchSize;
        this.manual = committer.manual();
        AtomicInteger ids = new AtomicInteger();
        if (userExecutor == null) {
            this.ownedPool = Executors.newFixedThreadPool(concurrency, r -> {
                Thread t = new Thread(r, name + "-handler-" + ids.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            this.executor = ownedPool;
        } else {
            this.ownedPool = null;
            this.executor = userExecutor;
        }
        this.retryTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name + "-retries");
            t.setDaemon(true);
            return t;
        });
    }

    void start(Consumer<byte[], byte[]> c) {
        this.consumer = c;
    }

    // ------------------------------------------------------------------------------------------- poll thread

    @Override
    public void dispatch(ConsumerRecords<byte[], byte[]> polled) {
        for (TopicPartition tp : polled.partitions()) {
            PartitionState ps = offsets.get(tp);
            if (ps == null || !ps.assigned()) {
                continue;
            }
            List<ConsumerRecord<byte[], byte[]>> records = polled.records(tp);
            ps.held.addAll(records);
            held += records.size();
        }
        handOut();
        if (control.go()) {
            for (DroppedMessage d : intake.expire()) {
                if (!dropped(d)) {
                    return;
                }
            }
        }
    }

    private void handOut() {
        for (PartitionState ps : offsets.all()) {
            ArrayDeque<ConsumerRecord<byte[], byte[]>> q = ps.held;
            while (!q.isEmpty() && ps.assigned() && control.go() && busy() < maxInFlight
                    && inFlightBytes < maxInFlightBytes) {
                ConsumerRecord<byte[], byte[]> r = q.peek();
                if (!ps.fitsBudget(r.offset())) {
                    break;
                }
                if (ps.completedBefore(r.offset())) {
                    q.poll();
                    held--;
                    ps.passed(r.offset());
                    counters.alreadyCompleted.increment();
                    continue;
                }
                if (handling.batches()) {
                    if (!handOutBatch(ps, q)) {
                        break;
                    }
                    continue;
                }
                if (!control.take(1)) {
                    held -= q.size();
                    q.clear();
                    break;
                }
                q.poll();
                held--;
                ps.handedOut(r.offset());
                if (!intake.offer(ps, r, laneOf(ps, r), this)) {
                    break;
                }
            }
            boolean pause = !q.isEmpty() && ps.assigned();
            if (pause != ps.paused && ps.assigned()) {
                List<TopicPartition> one = List.of(ps.partition);
                if (pause) {
                    consumer.pause(one);
                    counters.pauses.increment();
                } else {
                    consumer.resume(one);
                }
                ps.paused = pause;
            }
        }
        counters.inFlight = inFlight;
    }

    /**
     * Records in flight that take a place under {@code maxInFlight}: a unit waiting for its retry holds no thread and
     * leaves its place to the others (else a burst of failures with a long backoff would stall every key); it still
     * counts in {@link #inFlight} (not complete, not committed) and in the bytes, which keep memory bounded.
     */
    private long busy() {
        return inFlight - waiting.size();
    }

    private boolean handOutBatch(PartitionState ps, ArrayDeque<ConsumerRecord<byte[], byte[]>> q) {
        List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>(Math.min(maxBatchSize, q.size()));
        while (!q.isEmpty() && batch.size() < maxBatchSize && busy() + batch.size() < maxInFlight) {
            ConsumerRecord<byte[], byte[]> r = q.peek();
            if (ps.completedBefore(r.offset()) || !ps.fitsBudget(r.offset()) || !control.take(1)) {
                break;
            }
            q.poll();
            held--;
            ps.handedOut(r.offset());
            batch.add(r);
        }
        if (batch.isEmpty()) {
            if (control.limitReached()) {
                held -= q.size();
                q.clear();
            }
            return false;
        }
        return deliver(new Unit(ps, batch, null, Unit.offsetsOf(batch), ordering == Ordering.UNORDERED ? null : ps));
    }

    private Object laneOf(PartitionState ps, ConsumerRecord<byte[], byte[]> r) {
        Ordering o = ordering;
        if (o == Ordering.KEY) {
            if (r.key() != null) {
                return new KeyLane(r.topic(), ByteBuffer.wrap(r.key()));
            }
            o = nullKeys;
        }
        return o == Ordering.PARTITION ? ps : null;
    }

    @Override
    public boolean deliver(Unit unit) {
        inFlight += 1;
        inFlightBytes += unit.bytes;
        inFlightPerPartition.merge(unit.state, 1, Integer::sum);
        submit(unit);
        return true;
    }

    @Override
    public boolean dropped(DroppedMessage d) {
        if (offsets.dropped(d, handling) == null) {
            return control.go();
        }
        committer.done(d.segments().size());
        return true;
    }

    @Override
    public void collect() {
        int n = 0;
        Unit u;
        while ((u = completions.poll()) != null) {
            account(u);
            n++;
        }
        if (held > 0) {
            handOut();
        }
        counters.inFlight = inFlight;
        counters.awaitingRetry = waiting.size();
        if (n > 0) {
            committer.maybeCommit(false, offsets.all());
        }
    }

    private void account(Unit u) {
        inFlight -= 1;
        inFlightBytes -= u.bytes;
        inFlightPerPartition.computeIfPresent(u.state, (k, v) -> v == 1 ? null : v - 1);
        PartitionState ps = u.state;
        if (ps.phase() == PartitionState.Phase.GONE) {
            return;
        }
        if (u.abandoned) {
            // a stopped batch: the records before the failed one are done
            for (int i = 0; i < u.from && u.whole == null; i++) {
                ps.completed(u.offsets[i]);
            }
            return;
        }
        for (long o : u.offsets) {
            ps.completed(o);
        }
        committer.done(u.size());
        if (manual) {
            committer.acknowledged();
        }
    }

    @Override
    public boolean blocked() {
        return held > 0;
    }

    @Override
    public void awaitProgress(Duration timeout) {
        try {
            Unit u = completions.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (u != null) {
                account(u);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean idle() {
        return inFlight == 0 && held == 0;
    }

    @Override
    public void release(Collection<PartitionState> states, Duration timeout, boolean lost) {
        for (PartitionState ps : states) {
            held -= ps.held.size();
            ps.held.clear();
            ps.paused = false;
            ps.moveTo(lost ? PartitionState.Phase.GONE : PartitionState.Phase.REVOKING);
        }
        cancelRetries(states);
        if (!lost) {
            waitFor(states, timeout);
        }
    }

    private void waitFor(Collection<PartitionState> states, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (states.stream().anyMatch(inFlightPerPartition::containsKey)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                LOG.warn("{}: records of {} still in the handler after {} ms; not committed", name,
                        states.stream().filter(inFlightPerPartition::containsKey).map(PartitionState::partition).toList(),
                        timeout.toMillis());
                return;
            }
            try {
                Unit u = completions.poll(left, TimeUnit.NANOSECONDS);
                if (u != null) {
                    account(u);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void drain(Duration timeout, boolean drainQueued) {
        held = 0;
        for (PartitionState ps : offsets.all()) {
            ps.held.clear();
        }
        cancelRetries(null);
        waitFor(new ArrayList<>(offsets.all()), timeout);
        Unit u;
        while ((u = completions.poll()) != null) {
            account(u);
        }
        counters.inFlight = inFlight;
    }

    /**
     * Retries not due yet of the given partitions (all when null) will not run: their units go back as abandoned
     * (not done, not committed), so revocation and close do not wait out a backoff.
     */
    private void cancelRetries(Collection<PartitionState> states) {
        for (java.util.Map.Entry<Unit, java.util.concurrent.Future<?>> e : waiting.entrySet()) {
            Unit u = e.getKey();
            if ((states == null || states.contains(u.state)) && waiting.remove(u) != null) {
                e.getValue().cancel(false);
                abandon(u);
                next(u);
            }
        }
        counters.awaitingRetry = waiting.size();
    }

    @Override
    public void shutdown() {
        retryTimer.shutdownNow();
        if (ownedPool != null) {
            ownedPool.shutdown();
        }
    }

    // ---------------------------------------------------------------------------------------- handler threads

    private void submit(Unit unit) {
        if (unit.lane == null) {
            ready(unit);
            return;
        }
        while (true) {
            Lane lane = lanes.computeIfAbsent(unit.lane, k -> new Lane());
            synchronized (lane) {
                if (lane.dead) {
                    continue;
                }
                if (lane.stopped) {
                    abandon(unit);
                    return;
                }
                if (lane.busy) {
                    lane.queue.add(unit);
                    return;
                }
                lane.busy = true;
            }
            ready(unit);
            return;
        }
    }

    private void ready(Unit unit) {
        ready.add(unit);
        startLoop();
    }

    private void startLoop() {
        while (true) {
            int n = loops.get();
            if (n >= concurrency) {
                return;
            }
            if (loops.compareAndSet(n, n + 1)) {
                try {
                    executor.execute(this::workLoop);
                } catch (RuntimeException e) {
                    loops.decrementAndGet();
                    LOG.error("{}: the executor refused a handler task: {}", name, e.toString());
                }
                return;
            }
        }
    }

    private void workLoop() {
        Object previous = marker.get();
        marker.set(owner);
        try {
            Unit u;
            while ((u = ready.poll()) != null) {
                run(u);
            }
        } finally {
            marker.set(previous);
            loops.decrementAndGet();
            if (!ready.isEmpty()) {
                startLoop();
            }
        }
    }

    private void run(Unit u) {
        if (!u.state.assigned() || !control.go()) {
            abandon(u);
            next(u);
            return;
        }
        Handling.Step step;
        try {
            step = handling.attempt(u, manual ? () -> progress(u, Unit.ACKNOWLEDGED) : NO_ACK);
        } catch (RuntimeException | Error e) {
            LOG.error("{}: {} failed outside the error policy; stopping", name, u, e);
            control.stop(new io.kafkalab.consumer.RecordProcessingException(u.raw.get(0).topic(),
                    u.raw.get(0).partition(), u.raw.get(0).offset(), e));
            abandon(u);
            stopLane(u);
            return;
        }
        switch (step.result()) {
            case DONE -> {
                if (!manual || step.recovered()) {
                    completions.add(u); // a skipped or dead-lettered record is done with, acknowledged or not
                } else {
                    progress(u, Unit.HANDLED);
                }
                next(u);
            }
            case RETRY -> {
                waiting.put(u, SCHEDULING);
                try {
                    java.util.concurrent.Future<?> f = retryTimer.schedule(() -> {
                        if (waiting.remove(u) != null) {
                            ready(u);
                        }
                    }, step.delay().toMillis(), TimeUnit.MILLISECONDS);
                    waiting.replace(u, SCHEDULING, f);
                } catch (RuntimeException e) {
                    if (waiting.remove(u) != null) {
                        abandon(u); // the runner is shutting down: not done, not committed
                    }
                }
            }
            case STOP -> {
                abandon(u);
                stopLane(u);
            }
        }
    }

    private static final Acknowledgment NO_ACK = () -> { };

    /** The unit will not complete: it goes back to the poll thread as such. */
    private void abandon(Unit u) {
        u.abandoned = true;
        completions.add(u);
    }

    /**
     * The runner stops at this unit: its lane stays busy, so nothing behind the failed record runs, and what
     * waits in it goes back to the poll thread as abandoned, so that closing does not wait for it.
     */
    private void stopLane(Unit u) {
        if (u.lane == null) {
            return;
        }
        Lane lane = lanes.get(u.lane);
        if (lane == null) {
            return;
        }
        synchronized (lane) {
            lane.stopped = true;
            Unit queued;
            while ((queued = lane.queue.poll()) != null) {
                abandon(queued);
            }
        }
    }

    /** Marks handled or acknowledged; the second of the two completes a manual unit. */
    private boolean progress(Unit u, int bit) {
        int before = u.progress.getAndUpdate(p -> p | bit);
        if ((before & bit) == 0 && (before | bit) == (Unit.HANDLED | Unit.ACKNOWLEDGED)) {
            completions.add(u);
            return true;
        }
        return false;
    }

    private void next(Unit u) {
        if (u.lane == null) {
            return;
        }
        Lane lane = lanes.get(u.lane);
        if (lane == null) {
            return;
        }
        Unit next;
        synchronized (lane) {
            next = lane.queue.poll();
            if (next == null) {
                lane.busy = false;
                lane.dead = true;
                lanes.remove(u.lane, lane);
            }
        }
        if (next != null) {
            ready(next);
        }
    }

    /** A lane's queue; guarded by its own monitor. */
    private static final class Lane {
        final ArrayDeque<Unit> queue = new ArrayDeque<>(2);
        boolean busy;
        boolean dead;
        /** The runner stopped at a unit of it: nothing more runs in it. */
        boolean stopped;
    }

    /** Records of one key of one topic. */
    private record KeyLane(String topic, ByteBuffer key) {
    }
}
