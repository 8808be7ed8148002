package io.kafkalab.bench;

import io.kafkalab.bench.ParallelWorkload.Order;
import io.kafkalab.bench.Variants.Measurement;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * One timed run of a {@link ParallelWorkload} through one library: the handler both libraries call on their
 * worker threads, which does the record's work (parks for its handler time), checks that the library kept the
 * ordering it promised, and times the run from the first record started to the last of {@code records} finished.
 * A run that broke its ordering, processed a record twice or handed over a record that is not the workload's is
 * not a result: {@link #await} fails with what went wrong.
 *
 * <p>Thread safe: {@link #handle} is called from any number of threads at once.
 */
final class ParallelRun {

    private final ParallelWorkload workload;
    private final int records;
    private final AtomicIntegerArray done;
    private final AtomicInteger remaining;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicLong first = new AtomicLong();
    private final ConcurrentHashMap<String, Group> groups = new ConcurrentHashMap<>();
    private final AtomicLong orderViolations = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong foreign = new AtomicLong();
    private final LongConsumer work;
    private volatile long end;

    /** @param records the offsets {@code 0 .. records - 1} that must all be processed */
    ParallelRun(ParallelWorkload workload, int records) {
        this(workload, records, ParallelRun::work);
    }

    /** @param work does a record's work, given its handler time in nanoseconds (tests replace it) */
    ParallelRun(ParallelWorkload workload, int records, LongConsumer work) {
        this.workload = workload;
        this.records = records;
        this.work = work;
        this.done = new AtomicIntegerArray(records);
        this.remaining = new AtomicInteger(records);
    }

    /** What may not run at once: one group per key (KEY) or per partition (PARTITION). */
    private static final class Group {
        boolean running;
        long lastStarted = -1;
    }

    /** Processes one record: the library's handler. Records beyond {@code records} are processed but not counted. */
    void handle(String key, long offset) {
        first.compareAndSet(0, System.nanoTime());
        if (!workload.key(offset).equals(key)) {
            foreign.incrementAndGet();
        }
        Group group = switch (workload.ordering()) {
            case KEY -> groups.computeIfAbsent(key, k -> new Group());
            case PARTITION -> groups.computeIfAbsent("", k -> new Group());
            case UNORDERED -> null;
        };
        if (group != null) {
            synchronized (group) {
                if (group.running || offset <= group.lastStarted) {
                    orderViolations.incrementAndGet();
                }
                group.running = true;
                group.lastStarted = offset;
            }
        }
        work.accept(ParallelWorkload.handlerNanos(offset));
        if (group != null) {
            synchronized (group) {
                group.running = false;
            }
        }
        if (offset < records) {
            if (done.getAndSet((int) offset, 1) != 0) {
                duplicates.incrementAndGet();
            } else if (remaining.decrementAndGet() == 0) {
                end = System.nanoTime();
                finished.countDown();
            }
        }
    }

    /** Parks for {@code nanos} (a sleep, as a remote call would be: it uses no CPU), waking up early never. */
    static void work(long nanos) {
        long deadline = System.nanoTime() + nanos;
        for (long left = nanos; left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    /**
     * Waits until every counted record was processed.
     *
     * @param who     the library, for the failure message
     * @param timeout how long to wait at most
     * @return the run's records and time
     * @throws IllegalStateException if the run timed out or broke the workload's rules
     */
    Measurement await(String who, Duration timeout) throws InterruptedException {
        boolean complete = finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        String what = who + " " + workload.label();
        if (!complete) {
            throw new IllegalStateException(what + ": " + (records - remaining.get()) + " of " + records
                    + " records processed in " + String.format(java.util.Locale.ROOT, "%.2f", timeout.toMillis() / 1e3)
                    + " s");
        }
        if (orderViolations.get() > 0 && workload.ordering() != Order.UNORDERED) {
            throw new IllegalStateException(what + ": " + orderViolations.get() + " records started while an"
                    + " earlier or concurrent record of their " + (workload.ordering() == Order.KEY ? "key" : "partition")
                    + " was still running, or after a later one");
        }
        if (duplicates.get() > 0 || foreign.get() > 0) {
            throw new IllegalStateException(what + ": " + duplicates.get() + " records processed twice, "
                    + foreign.get() + " with a key that is not the workload's (was the topic filled by one producer?)");
        }
        return Measurement.of(records, 0, (end - first.get()) / 1e9);
    }
}
