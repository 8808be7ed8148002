package io.kafkalab.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import io.kafkalab.consumer.internal.OffsetCodec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The concurrent engine's logic on Kafka's {@link MockConsumer}: ordering, out-of-order completion and the commits
 * it allows, the commit metadata a restart reads, back-pressure. Broker behaviour is in {@code ConcurrentRunnerIT}.
 */
class ConcurrentRunnerTest {

    private static final String TOPIC = "t";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final Duration WAIT = Duration.ofSeconds(30);

    /**
     * Kafka's mock, which keeps the commits it was sent after it is closed, and answers {@code committed()} inside
     * a rebalance callback (Kafka's answers offset 0 for a partition it has not assigned yet).
     */
    static class RecordingConsumer extends MockConsumer<byte[], byte[]> {
        final Map<TopicPartition, OffsetAndMetadata> commits = new ConcurrentHashMap<>();

        RecordingConsumer() {
            super("earliest");
        }

        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
            super.commitSync(offsets);
            commits.putAll(offsets);
        }

        @Override
        public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets,
                                             org.apache.kafka.clients.consumer.OffsetCommitCallback callback) {
            super.commitAsync(offsets, callback);
            commits.putAll(offsets);
        }

        @Override
        public synchronized Map<TopicPartition, OffsetAndMetadata> committed(Set<TopicPartition> partitions) {
            Map<TopicPartition, OffsetAndMetadata> found = new java.util.HashMap<>();
            partitions.forEach(tp -> {
                if (commits.containsKey(tp)) {
                    found.put(tp, commits.get(tp));
                }
            });
            return found;
        }
    }

    /** A mock consumer assigned {@link #TP} from {@code committed}, with {@code count} records keyed by {@code key}. */
    private static RecordingConsumer mock(int count, java.util.function.IntFunction<String> key,
                                          OffsetAndMetadata committed) {
        RecordingConsumer c = new RecordingConsumer();
        c.updateBeginningOffsets(Map.of(TP, 0L));
        c.updateEndOffsets(Map.of(TP, (long) count));
        if (committed != null) {
            c.commitSync(Map.of(TP, committed));
        }
        c.schedulePollTask(() -> {
            c.rebalance(List.of(TP));
            if (committed != null) {
                c.seek(TP, committed.offset()); // as Kafka's consumer starts from the group's commit
            }
            for (int i = 0; i < count; i++) {
                String k = key.apply(i);
                c.addRecord(new ConsumerRecord<>(TOPIC, 0, i, k == null ? null : k.getBytes(StandardCharsets.UTF_8),
                        ("v" + i).getBytes(StandardCharsets.UTF_8)));
            }
        });
        return c;
    }

    private static ConsumerRunner.Builder<String, String> builder(MockConsumer<byte[], byte[]> c) {
        return ConsumerRunner.builder(Map.of("group.id", "g", "bootstrap.servers", "unused:9092"),
                        new StringDeserializer(), new StringDeserializer())
                .topics(TOPIC).consumerFactory(config -> c).pollTimeout(Duration.ofMillis(5));
    }

    private static OffsetAndMetadata committed(MockConsumer<byte[], byte[]> c) {
        return ((RecordingConsumer) c).commits.get(TP);
    }

    @Test
    void keyOrderingNeverRunsOneKeyTwiceAtOnceAndKeepsItsOffsetOrder() throws Exception {
        int records = 3_000;
        int keys = 40;
        MockConsumer<byte[], byte[]> c = mock(records, i -> "k" + (i * 7919 % keys), null);
        Map<String, AtomicBoolean> running = new ConcurrentHashMap<>();
        Map<String, List<Long>> seen = new ConcurrentHashMap<>();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger atOnce = new AtomicInteger();
        AtomicInteger maxAtOnce = new AtomicInteger();
        Random random = new Random(1);
        long[] work = new long[records];
        for (int i = 0; i < records; i++) {
            work[i] = random.nextInt(200_000);
        }
        try (ConsumerRunner<String, String> runner = builder(c).concurrency(8).ordering(Ordering.KEY)
                .commitPolicy(CommitPolicy.afterEachPoll()).records(r -> {
                    if (!running.computeIfAbsent(r.key(), k -> new AtomicBoolean()).compareAndSet(false, true)) {
                        overlaps.incrementAndGet();
                    }
                    maxAtOnce.accumulateAndGet(atOnce.incrementAndGet(), Math::max);
                    LockSupport.parkNanos(work[(int) r.offset()]); // simulated work
                    seen.computeIfAbsent(r.key(), k -> new CopyOnWriteArrayList<>()).add(r.offset());
                    atOnce.decrementAndGet();
                    running.get(r.key()).set(false);
                }).start()) {
            await().atMost(WAIT).until(() -> runner.metrics().recordsProcessed() == records);
            await().atMost(WAIT).until(() -> committed(c) != null && committed(c).offset() == records);
        }
        assertThat(overlaps).as("a key handled twice at once").hasValue(0);
        assertThat(maxAtOnce.get()).as("keys ran concurrently").isGreaterThan(1).isLessThanOrEqualTo(8);
        assertThat(seen).hasSize(keys);
        long total = 0;
        for (List<Long> offsets : seen.values()) {
            assertThat(offsets).isSorted().doesNotHaveDuplicates();
            total += offsets.size();
        }
        assertThat(total).isEqualTo(records);
    }

    @Test
    void partitionOrderingRunsOneRecordOfAPartitionAtATime() throws Exception {
        MockConsumer<byte[], byte[]> c = mock(500, i -> "k" + i, null);
        List<Long> seen = new CopyOnWriteArrayList<>();
        AtomicInteger atOnce = new AtomicInteger();
        AtomicInteger maxAtOnce = new AtomicInteger();
        try (ConsumerRunner<String, String> runner = builder(c).concurrency(8).ordering(Ordering.PARTITION)
                .records(r -> {
                    maxAtOnce.accumulateAndGet(atOnce.incrementAndGet(), Math::max);
                    seen.add(r.offset());
                    atOnce.decrementAndGet();
                }).start()) {
            await().atMost(WAIT).until(() -> runner.metrics().recordsProcessed() == 500);
        }
        assertThat(maxAtOnce).hasValue(1);
        assertThat(seen).isSorted().hasSize(500);
    }

    @Test
    void commitsStopAtTheLowestIncompleteRecordAndARestartSkipsWhatCompletedAboveIt() throws Exception {
        int records = 200;
        MockConsumer<byte[], byte[]> c = mock(records, i -> "k" + i, null);
        CountDownLatch release = new CountDownLatch(1);
        List<Long> handled = new CopyOnWriteArrayList<>();
        OffsetAndMetadata whileBlocked;
        try (ConsumerRunner<String, String> runner = builder(c).concurrency(4).ordering(Ordering.UNORDERED)
                .commitPolicy(CommitPolicy.afterEachRecord()).records(r -> {
                    if (r.offset() == 3) {
                        assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
                    }
                    handled.add(r.offset());
                }).start()) {
            // every record but 3 is handled and the commit records all of them above 3 as completed
            await().atMost(WAIT).until(() -> handled.size() == records - 1 && committed(c) != null
                    && OffsetCodec.decode(committed(c).metadata()).completed().cardinality() == records - 4);
            whileBlocked = committed(c);
            assertThat(whileBlocked.offset()).as("never past the incomplete record 3").isEqualTo(3);
            runner.close(Duration.ofMillis(200)); // record 3 is still in the handler: close gives up waiting
            release.countDown();
        }
        // a new runner of the group starts from 3 and skips the 196 records the metadata records as completed
        MockConsumer<byte[], byte[]> restarted = mock(records, i -> "k" + i, whileBlocked);
        List<Long> again = new CopyOnWriteArrayList<>();
        try (ConsumerRunner<String, String> runner = builder(restarted).concurrency(4).ordering(Ordering.UNORDERED)
                .records(r -> again.add(r.offset())).start()) {
            await().atMost(WAIT).until(() -> committed(restarted).offset() == records);
            assertThat(runner.metrics().alreadyCompleted()).isEqualTo(records - 4);
        }
        assertThat(again).containsExactly(3L);
    }

    @Test
    void aSequentialRunnerAlsoSkipsWhatTheMetadataRecordsAsCompleted() throws Exception {
        CompletedAboveTwo w = new CompletedAboveTwo();
        MockConsumer<byte[], byte[]> c = mock(10, i -> "k", new OffsetAndMetadata(2, w.metadata()));
        List<Long> handled = new CopyOnWriteArrayList<>();
        try (ConsumerRunner<String, String> runner = builder(c).records(r -> handled.add(r.offset())).start()) {
            await().atMost(WAIT).until(() -> committed(c).offset() == 10);
        }
        assertThat(handled).containsExactly(2L, 4L, 5L, 6L, 7L, 8L, 9L);
    }

    /** Metadata written as a concurrent runner would: committed 2, 3 completed above it, up to 4. */
    private static final class CompletedAboveTwo {
        String metadata() {
            // bitset over [2, 4): bit 0 (offset 2) incomplete, bit 1 (offset 3) complete
            return OffsetCodec.PREFIX + java.util.Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(new byte[] {2, 2, 0b10});
        }
    }

    @Test
    void sparseCompletionsPauseThePartitionBeforeTheMetadataOutgrowsItsBudget() throws Exception {
        int records = 60_000;
        MockConsumer<byte[], byte[]> c = mock(records, i -> "k" + i, null);
        List<Acknowledgment> held = new CopyOnWriteArrayList<>();
        AtomicBoolean ackAll = new AtomicBoolean();
        List<String> metadata = new CopyOnWriteArrayList<>();
        AtomicInteger handled = new AtomicInteger();
        try (ConsumerRunner<String, String> runner = builder(c).concurrency(4).ordering(Ordering.UNORDERED)
                .commitPolicy(CommitPolicy.manual()).maxInFlight(records, Long.MAX_VALUE)
                .listener(new ConsumerRunnerListener() {
                    @Override
                    public void onCommitted(Map<TopicPartition, OffsetAndMetadata> offsets) {
                        offsets.values().forEach(o -> metadata.add(o.metadata()));
                    }
                })
                .acknowledgingRecords((r, ack) -> {
                    handled.incrementAndGet();
                    // every other record stays unacknowledged: completions as sparse as they come
                    if (r.offset() % 2 == 0 || ackAll.get()) {
                        ack.acknowledge();
                    } else {
                        held.add(ack);
                    }
                }).start()) {
            await().atMost(WAIT).until(() -> runner.metrics().pauses() > 0
                    && runner.metrics().inFlight() == held.size() && held.size() > 1000);
            int stalled = handled.get();
            assertThat(stalled).as("hand-out stopped well before the end").isLessThan(records / 2);
            ackAll.set(true);
            held.forEach(Acknowledgment::acknowledge);
            await().atMost(WAIT).until(() -> committed(c) != null && committed(c).offset() == records);
        }
        assertThat(metadata).allSatisfy(m -> assertThat(m == null ? 0 : m.length())
                .isLessThanOrEqualTo(OffsetCodec.BUDGET));
        assertThat(metadata).anySatisfy(m -> assertThat(m).isNotNull().hasSizeGreaterThan(OffsetCodec.BUDGET / 2));
    }

    @Test
    void recordsInFlightNeverExceedTheBound() throws Exception {
        MockConsumer<byte[], byte[]> c = mock(2_000, i -> "k" + i, null);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger started = new AtomicInteger();
        try (ConsumerRunner<String, String> runner = builder(c).concurrency(4).ordering(Ordering.UNORDERED)
                .maxInFlight(50, Long.MAX_VALUE).records(r -> {
                    started.incrementAndGet();
                    assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
                }).start()) {
            await().atMost(WAIT).until(() -> runner.metrics().inFlight() == 50 && runner.metrics().pauses() > 0);
            assertThat(started).as("only the pool's threads run").hasValue(4);
            release.countDown();
            await().atMost(WAIT).until(() -> runner.metrics().recordsProcessed() == 2_000);
            assertThat(runner.metrics().inFlight()).isLessThanOrEqualTo(50);
        }
    }

    @Test
    void aRetriedRecordHoldsBackOnlyItsOwnKey() throws Exception {
        MockConsumer<byte[], byte[]> c = mock(100, i -> i % 2 == 0 ? "even" : "odd", null);
        AtomicInteger attempts = new AtomicInteger();
        List<Long> odd = new CopyOnWriteArrayList<>();
        List<Long> even = new CopyOnWriteArrayList<>();
        try (ConsumerRunner<String, String> runner = builder(c).concurrency(2).ordering(Ordering.KEY)
                .errorPolicy(ErrorPolicy.retry(3, Duration.ofMillis(300), Duration.ofMillis(300), ErrorPolicy.stop()))
                .records(r -> {
                    if (r.offset() == 0 && attempts.incrementAndGet() < 3) {
                        throw new IllegalStateException("not yet");
                    }
                    (r.key().equals("odd") ? odd : even).add(r.offset());
                }).start()) {
            // while record 0 waits for its retries, every odd record is handled
            await().atMost(WAIT).until(() -> odd.size() == 50);
            assertThat(even).isEmpty();
            await().atMost(WAIT).until(() -> even.size() == 50);
        }
        assertThat(even).isSorted().startsWith(0L);
        assertThat(attempts).hasValue(3);
    }

    @Test
    void aStopDecisionEndsTheRunnerWithoutCommittingTheFailedRecordWhileSkipsAndDeadLettersComplete()
            throws Exception {
        MockConsumer<byte[], byte[]> c = mock(300, i -> "k" + (i % 7), null);
        org.apache.kafka.clients.producer.MockProducer<byte[], byte[]> dlt = new org.apache.kafka.clients.producer
                .MockProducer<>(true, null, new org.apache.kafka.common.serialization.ByteArraySerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer());
        ErrorPolicy policy = failure -> switch ((int) failure.first().offset()) {
            case 10 -> ErrorDecision.skip();
            case 20 -> ErrorPolicy.deadLetter(dlt).onFailure(failure);
            default -> ErrorDecision.stop(failure.error());
        };
        AtomicInteger handledBelow = new AtomicInteger();
        AtomicReference<ConsumerRunner<String, String>> self = new AtomicReference<>();
        ConsumerRunner<String, String> runner = builder(c).concurrency(4).ordering(Ordering.KEY)
                .commitPolicy(CommitPolicy.afterEachRecord()).errorPolicy(policy).records(r -> {
                    if (r.offset() == 250) {
                        // fail only once every record below it is done (248 handled, one skipped, one dead-lettered),
                        // so the commit at the stop shows that skips and dead letters complete
                        await().atMost(WAIT).until(() -> handledBelow.get() == 248
                                && self.get().metrics().skipped() == 1 && self.get().metrics().deadLettered() == 1);
                    }
                    if (r.offset() == 10 || r.offset() == 20 || r.offset() == 250) {
                        throw new IllegalStateException("bad record " + r.offset());
                    }
                    if (r.offset() < 250) {
                        handledBelow.incrementAndGet();
                    }
                });
        self.set(runner);
        runner.start();
        assertThat(runner.awaitTermination(WAIT)).isTrue();
        assertThat(runner.failure()).isInstanceOf(RecordProcessingException.class);
        assertThat(((RecordProcessingException) runner.failure()).offset()).isEqualTo(250);
        assertThat(committed(c).offset()).as("up to the stopped record, never past it").isEqualTo(250);
        assertThat(runner.metrics().skipped()).isEqualTo(1);
        assertThat(runner.metrics().deadLettered()).isEqualTo(1);
        assertThat(runner.metrics().stopped()).isEqualTo(1);
        assertThat(dlt.history()).singleElement().satisfies(r -> assertThat(r.topic()).isEqualTo("t.DLT"));
    }

    @Test
    void anAcknowledgmentCompletesItsOwnRecordOnly() throws Exception {
        MockConsumer<byte[], byte[]> c = mock(10, i -> "k" + i, null);
        Map<Long, Acknowledgment> acks = new ConcurrentHashMap<>();
        try (ConsumerRunner<String, String> runner = builder(c).concurrency(4).ordering(Ordering.UNORDERED)
                .commitPolicy(CommitPolicy.manual()).acknowledgingRecords((r, ack) -> acks.put(r.offset(), ack))
                .start()) {
            await().atMost(WAIT).until(() -> acks.size() == 10);
            for (long o = 1; o < 10; o++) {
                acks.get(o).acknowledge();
            }
            await().atMost(WAIT).until(() -> committed(c) != null
                    && OffsetCodec.decode(committed(c).metadata()).span() == 10);
            assertThat(committed(c).offset()).as("record 0 is not acknowledged").isZero();
            acks.get(0L).acknowledge(); // later, from another thread
            await().atMost(WAIT).until(() -> committed(c).offset() == 10);
        }
    }

    @Test
    void maxRecordsHandlesAndCommitsExactlyThatMany() throws Exception {
        for (int concurrency : new int[] {1, 4}) {
            MockConsumer<byte[], byte[]> c = mock(100, i -> "k" + i, null);
            AtomicInteger handled = new AtomicInteger();
            ConsumerRunner<String, String> runner = builder(c).concurrency(concurrency)
                    .commitPolicy(CommitPolicy.everyRecords(10)).maxRecords(25)
                    .batches(10, batch -> handled.addAndGet(batch.size()));
            runner.start();
            assertThat(runner.awaitTermination(WAIT)).isTrue();
            assertThat(handled).as("concurrency %d", concurrency).hasValue(25);
            assertThat(committed(c).offset()).as("concurrency %d", concurrency).isEqualTo(25);
        }
    }

    @Test
    void whoeverAwaitsTerminationSeesTheListenerToldOfTheStop() throws Exception {
        MockConsumer<byte[], byte[]> c = mock(10, i -> "k" + i, null);
        java.util.concurrent.CountDownLatch inOnStopped = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        ConsumerRunner<String, String> runner = builder(c).maxRecords(10).listener(new ConsumerRunnerListener() {
            @Override
            public void onStopped(Throwable cause) {
                inOnStopped.countDown();
                try {
                    release.await(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }).records(r -> { });
        runner.start();
        assertThat(inOnStopped.await(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)).isTrue();

        // the listener is still at work: termination is not yet reported
        assertThat(runner.awaitTermination(Duration.ofMillis(200))).isFalse();
        release.countDown();
        assertThat(runner.awaitTermination(WAIT)).isTrue();
    }

    @Test
    void buildRefusesWhatCannotWork() {
        MockConsumer<byte[], byte[]> c = mock(1, i -> "k", null);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> builder(c).concurrency(2)
                        .commitPolicy(CommitPolicy.kafkaAutoCommit(Duration.ofSeconds(1))).records(r -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("kafkaAutoCommit");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> builder(c).concurrency(0))
                .hasMessage("concurrency must be >= 1, but was 0");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> builder(c).nullKeys(Ordering.KEY))
                .hasMessage("nullKeys must be PARTITION or UNORDERED, but was KEY");
    }
}
