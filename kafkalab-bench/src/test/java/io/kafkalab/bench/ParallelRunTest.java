package io.kafkalab.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kafkalab.bench.ParallelWorkload.Order;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;

/** A run is a result only when the library kept its ordering and processed every record once. */
class ParallelRunTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void recordsInOffsetOrderAreCountedAndTimed() throws Exception {
        ParallelRun run = new ParallelRun(new ParallelWorkload(Order.PARTITION, 10, 0), 20, nanos -> { });
        for (int o = 0; o < 25; o++) {
            run.handle("k" + o % 10, o);
        }
        Variants.Measurement m = run.await("test", WAIT);
        assertThat(m.records()).isEqualTo(20);
        assertThat(m.seconds()).isPositive();
    }

    @Test
    void aRecordStartedWhileAnEarlierOfItsKeyRunsBreaksKeyOrder() throws Exception {
        ParallelRun run = overlapping(new ParallelWorkload(Order.KEY, 1, 0), "k0", "k0");
        assertThatThrownBy(() -> run.await("lib", WAIT)).isInstanceOf(IllegalStateException.class)
                .hasMessage("lib KEY 1 key: 1 records started while an earlier or concurrent record of their key was"
                        + " still running, or after a later one");
    }

    @Test
    void recordsOfOtherKeysMayRunAtOnceUnderKeyOrder() throws Exception {
        ParallelRun run = overlapping(new ParallelWorkload(Order.KEY, 2, 0), "k0", "k1");
        assertThat(run.await("lib", WAIT).records()).isEqualTo(2);
    }

    @Test
    void anyTwoRecordsAtOnceBreakPartitionOrderButNotUnordered() throws Exception {
        ParallelRun partition = overlapping(new ParallelWorkload(Order.PARTITION, 2, 0), "k0", "k1");
        assertThatThrownBy(() -> partition.await("lib", WAIT)).hasMessageContaining("of their partition");
        ParallelRun unordered = overlapping(new ParallelWorkload(Order.UNORDERED, 2, 0), "k0", "k1");
        assertThat(unordered.await("lib", WAIT).records()).isEqualTo(2);
    }

    @Test
    void aLaterRecordOfAKeyBeforeAnEarlierOneBreaksKeyOrder() {
        ParallelRun run = new ParallelRun(new ParallelWorkload(Order.KEY, 1, 0), 2, nanos -> { });
        run.handle("k0", 1);
        run.handle("k0", 0);
        assertThatThrownBy(() -> run.await("lib", WAIT)).hasMessageContaining("1 records started");
    }

    @Test
    void aRecordProcessedTwiceOrWithAnotherKeyIsNoResult() {
        ParallelRun twice = new ParallelRun(new ParallelWorkload(Order.UNORDERED, 1, 0), 2, nanos -> { });
        twice.handle("k0", 0);
        twice.handle("k0", 0);
        twice.handle("k0", 1);
        assertThatThrownBy(() -> twice.await("lib", WAIT)).hasMessage("lib UNORDERED: 1 records processed twice, 0"
                + " with a key that is not the workload's (was the topic filled by one producer?)");
        ParallelRun foreign = new ParallelRun(new ParallelWorkload(Order.UNORDERED, 1, 0), 1, nanos -> { });
        foreign.handle("elsewhere", 0);
        assertThatThrownBy(() -> foreign.await("lib", WAIT)).hasMessageContaining("0 records processed twice, 1 with");
    }

    @Test
    void aRunThatDoesNotFinishSaysHowFarItGot() {
        ParallelRun run = new ParallelRun(new ParallelWorkload(Order.UNORDERED, 1, 0), 3, nanos -> { });
        run.handle("k0", 0);
        assertThatThrownBy(() -> run.await("lib", Duration.ofMillis(50)))
                .hasMessage("lib UNORDERED: 1 of 3 records processed in 0.05 s");
    }

    @Test
    void workParksForTheHandlerTime() {
        long begin = System.nanoTime();
        ParallelRun.work(3_000_000);
        assertThat(System.nanoTime() - begin).isGreaterThanOrEqualTo(3_000_000);
    }

    /**
     * Offset 0 (key {@code first}) is held inside its work on another thread while offset 1 (key {@code second})
     * runs on this one; then both finish.
     */
    private static ParallelRun overlapping(ParallelWorkload workload, String first, String second)
            throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        LongConsumer work = nanos -> {
            if (calls.getAndIncrement() == 0) {
                inside.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        ParallelRun run = new ParallelRun(workload, 2, work);
        CompletableFuture<Void> held = CompletableFuture.runAsync(() -> run.handle(first, 0));
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
        run.handle(second, 1);
        release.countDown();
        held.get(10, TimeUnit.SECONDS);
        return run;
    }
}
