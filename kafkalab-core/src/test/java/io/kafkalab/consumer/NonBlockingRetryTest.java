package io.kafkalab.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Non-blocking retries of the sequential runner on a {@link MockConsumer} that, like Kafka's, fetches again from the
 * position after a seek: a failed record holds only its partition, is fetched again when due with its attempt count
 * going on, and nothing after it is handled or committed before it. Broker behaviour is in {@code NonBlockingRetryIT}.
 */
class NonBlockingRetryTest {

    private static final String TOPIC = "t";
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** A mock consumer over a fixed log per partition: each poll fetches up to 50 records from the position. */
    static class LogConsumer extends ConcurrentRunnerTest.RecordingConsumer {
        final Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> log = new HashMap<>();
        final List<TopicPartition> seeks = new CopyOnWriteArrayList<>();

        LogConsumer(int partitions, int perPartition) {
            this(partitions, perPartition, perPartition);
        }

        /** Keys {@code k0 .. k<keys - 1>}, by offset. */
        LogConsumer(int partitions, int perPartition, int keys) {
            Map<TopicPartition, Long> begin = new HashMap<>();
            Map<TopicPartition, Long> end = new HashMap<>();
            List<TopicPartition> all = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                TopicPartition tp = new TopicPartition(TOPIC, p);
                all.add(tp);
                List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
                for (int i = 0; i < perPartition; i++) {
                    records.add(new ConsumerRecord<>(TOPIC, p, i, ("k" + i % keys).getBytes(StandardCharsets.UTF_8),
                            ("v" + i).getBytes(StandardCharsets.UTF_8)));
                }
                log.put(tp, records);
                begin.put(tp, 0L);
                end.put(tp, (long) perPartition);
            }
            updateBeginningOffsets(begin);
            updateEndOffsets(end);
            schedulePollTask(() -> rebalance(all));
        }

        @Override
        public synchronized ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
            Set<TopicPartition> paused = paused();
            for (TopicPartition tp : assignment()) {
                if (paused.contains(tp)) {
                    continue;
                }
                long from = position(tp);
                List<ConsumerRecord<byte[], byte[]>> records = log.get(tp);
                for (long o = from; o < Math.min(records.size(), from + 50); o++) {
                    addRecord(records.get((int) o));
                }
            }
            return super.poll(timeout);
        }

        @Override
        public synchronized void seek(TopicPartition partition, long offset) {
            super.seek(partition, offset);
            seeks.add(partition);
        }

        long committed(int partition) {
            OffsetAndMetadata o = commits.get(new TopicPartition(TOPIC, partition));
            return o == null ? -1 : o.offset();
        }
    }

    /** What the handler and the listener saw. */
    static final class Seen implements ConsumerRunnerListener {
        /** Every handler call in order: partition, offset, and whether it failed. */
        final List<String> calls = new CopyOnWriteArrayList<>();
        final Map<TopicPartition, List<Long>> succeeded = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
        final List<Integer> failureAttempts = new CopyOnWriteArrayList<>();
        final List<String> commitsPastAFailedRecord = new CopyOnWriteArrayList<>();
        final Set<String> failing;
        final int failTimes;

        Seen(Set<String> failing, int failTimes) {
            this.failing = failing;
            this.failTimes = failTimes;
        }

        /** Fails the records in {@code failing} (as "partition@offset") {@code failTimes} times, then succeeds. */
        void handle(ConsumerRecord<String, String> r) {
            String id = r.partition() + "@" + r.offset();
            int n = attempts.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            if (failing.contains(id) && n <= failTimes) {
                calls.add(id + "!");
                throw new IllegalStateException("fails " + id + " attempt " + n);
            }
            calls.add(id);
            succeeded.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), k -> new CopyOnWriteArrayList<>())
                    .add(r.offset());
        }

        @Override
        public void onError(Failure failure, ErrorDecision decision) {
            failureAttempts.add(failure.attempt());
        }

        @Override
        public void onCommitted(Map<TopicPartition, OffsetAndMetadata> offsets) {
            offsets.forEach((tp, o) -> {
                for (String id : failing) {
                    String[] f = id.split("@");
                    long offset = Long.parseLong(f[1]);
                    List<Long> ok = succeeded.getOrDefault(tp, List.of());
                    if (Integer.parseInt(f[0]) == tp.partition() && offset < o.offset() && !ok.contains(offset)) {
                        commitsPastAFailedRecord.add(tp + " committed " + o.offset() + " before " + id + " succeeded");
                    }
                }
            });
        }
    }

    private static ConsumerRunner.Builder<String, String> builder(MockConsumer<byte[], byte[]> c, Seen seen) {
        return ConsumerRunner.builder(Map.of("group.id", "g", "bootstrap.servers", "unused:9092"),
                        new StringDeserializer(), new StringDeserializer())
                .topics(TOPIC).consumerFactory(config -> c).pollTimeout(Duration.ofMillis(5)).listener(seen)
                .commitPolicy(CommitPolicy.afterEachRecord());
    }

    private static ErrorPolicy retries(Duration backoff) {
        return ErrorPolicy.retry(3, backoff, backoff, ErrorPolicy.stop());
    }

    /** Records of the other partitions handled between the first failure of {@code id} and its success. */
    static long othersBetween(List<String> calls, String id) {
        int failed = calls.indexOf(id + "!");
        int done = calls.indexOf(id);
        String partition = id.substring(0, id.indexOf('@') + 1);
        return calls.subList(failed, done).stream().filter(c -> !c.startsWith(partition)).count();
    }

    @Test
    void aFailedRecordHoldsOnlyItsPartitionAndIsHandledOnceWhenItsRetriesSucceed() throws Exception {
        int perPartition = 400;
        LogConsumer c = new LogConsumer(3, perPartition);
        Set<String> failing = Set.of("0@7", "0@250", "1@100", "2@399");
        Seen seen = new Seen(failing, 2);
        try (ConsumerRunner<String, String> runner = builder(c, seen).errorPolicy(retries(Duration.ofMillis(50)))
                .records(seen::handle).start()) {
            await().atMost(WAIT).until(() -> c.committed(0) == perPartition && c.committed(1) == perPartition
                    && c.committed(2) == perPartition);
            assertThat(runner.metrics().retries()).isEqualTo(8);
            assertThat(runner.metrics().awaitingRetry()).isZero();
            assertThat(runner.failure()).isNull();
        }
        for (int p = 0; p < 3; p++) {
            assertThat(seen.succeeded.get(new TopicPartition(TOPIC, p))).as("partition %d: once each, in order", p)
                    .hasSize(perPartition).isSorted().doesNotHaveDuplicates();
        }
        failing.forEach(id -> assertThat(seen.attempts.get(id)).as(id).hasValue(3));
        assertThat(seen.failureAttempts).as("attempts go on across the fetches").containsOnly(1, 2).hasSize(8);
        assertThat(seen.commitsPastAFailedRecord).isEmpty();
        assertThat(othersBetween(seen.calls, "0@7")).as("other partitions go on while 0@7 waits").isPositive();
        assertThat(othersBetween(seen.calls, "1@100")).as("other partitions go on while 1@100 waits").isPositive();
        assertThat(c.seeks).contains(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1));
    }

    @Test
    void aBatchHandlerGivenOneRecordAtATimeHandlesEachOnceWithoutARetry() throws Exception {
        // a poll with one record of a partition (the common case at low rate): it once went down the record
        // handler's fast path, failed there (no record handler) and counted as a retry
        LogConsumer c = new LogConsumer(1, 5);
        Seen seen = new Seen(Set.of(), 0);
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        try (ConsumerRunner<String, String> runner = builder(c, seen).errorPolicy(retries(Duration.ofMillis(50)))
                .batches(1, batch -> {
                    sizes.add(batch.size());
                    batch.forEach(seen::handle);
                }).start()) {
            await().atMost(WAIT).until(() -> c.committed(0) == 5);
            assertThat(runner.metrics().retries()).isZero();
            assertThat(runner.metrics().batchesProcessed()).isEqualTo(5);
        }
        assertThat(sizes).containsExactly(1, 1, 1, 1, 1);
        assertThat(seen.failureAttempts).isEmpty();
    }

    @Test
    void aBatchHandlerIsHeldFromTheFailedRecordAndTheRecordsBeforeItAreCommitted() throws Exception {
        LogConsumer c = new LogConsumer(2, 200);
        Set<String> failing = Set.of("0@15", "1@3");
        Seen seen = new Seen(failing, 2);
        List<Long> committedWhileHeld = new CopyOnWriteArrayList<>();
        try (ConsumerRunner<String, String> runner = builder(c, seen).errorPolicy(retries(Duration.ofMillis(50)))
                .batches(10, batch -> {
                    for (int i = 0; i < batch.size(); i++) {
                        try {
                            seen.handle(batch.get(i));
                        } catch (IllegalStateException e) {
                            committedWhileHeld.add(c.committed(batch.get(i).partition()));
                            throw new BatchFailedException(i, e);
                        }
                    }
                }).start()) {
            await().atMost(WAIT).until(() -> c.committed(0) == 200 && c.committed(1) == 200);
        }
        for (int p = 0; p < 2; p++) {
            assertThat(seen.succeeded.get(new TopicPartition(TOPIC, p))).hasSize(200).isSorted()
                    .doesNotHaveDuplicates();
        }
        assertThat(seen.failureAttempts).containsExactlyInAnyOrder(1, 2, 1, 2);
        assertThat(seen.commitsPastAFailedRecord).isEmpty();
        assertThat(committedWhileHeld).as("the records before 0@15 in its batch were committed").contains(15L);
        assertThat(othersBetween(seen.calls, "0@15")).isPositive();
    }

    @Test
    void maxRecordsStaysExactWhileARecordIsHeld() throws Exception {
        LogConsumer c = new LogConsumer(1, 100);
        Seen seen = new Seen(Set.of("0@5"), 1);
        try (ConsumerRunner<String, String> runner = builder(c, seen).errorPolicy(retries(Duration.ofMillis(20)))
                .maxRecords(30).records(seen::handle).start()) {
            assertThat(runner.awaitTermination(WAIT)).isTrue();
            assertThat(runner.metrics().recordsProcessed()).isEqualTo(30);
        }
        assertThat(seen.succeeded.get(new TopicPartition(TOPIC, 0))).hasSize(30).isSorted();
        assertThat(c.committed(0)).isEqualTo(30);
    }

    @Test
    void closeWhileHeldEndsAtOnceAndCommitsNothingPastTheHeldRecord() throws Exception {
        LogConsumer c = new LogConsumer(2, 100);
        Seen seen = new Seen(Set.of("0@10"), 5);
        ConsumerRunner<String, String> runner = builder(c, seen).errorPolicy(retries(Duration.ofMinutes(10)))
                .closeTimeout(Duration.ofSeconds(10)).records(seen::handle).start();
        await().atMost(WAIT).until(() -> c.committed(1) == 100 && runner.metrics().awaitingRetry() == 1);
        assertThat(runner.metrics().inFlight()).isEqualTo(1);
        long started = System.nanoTime();
        assertThat(runner.close(Duration.ofSeconds(10))).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("no backoff waited out").isLessThan(
                Duration.ofSeconds(5));
        assertThat(c.committed(0)).isEqualTo(10);
        assertThat(seen.attempts.get("0@10")).hasValue(1);
        assertThat(seen.succeeded.get(new TopicPartition(TOPIC, 0))).hasSize(10);
    }

    @Test
    void aRevokedPartitionForgetsItsHoldAndCommitsOnlyWhatWasDone() throws Exception {
        LogConsumer c = new LogConsumer(2, 100);
        Seen seen = new Seen(Set.of("0@10"), 5);
        List<Collection<TopicPartition>> revoked = new CopyOnWriteArrayList<>();
        AtomicLong commitOfZeroAtRevoke = new AtomicLong(-2);
        try (ConsumerRunner<String, String> runner = builder(c, seen).errorPolicy(retries(Duration.ofMinutes(10)))
                .listener(new ConsumerRunnerListener() {
                    @Override
                    public void onRevoked(Collection<TopicPartition> partitions) {
                        revoked.add(partitions);
                        commitOfZeroAtRevoke.set(c.committed(0));
                    }
                })
                .records(seen::handle).start()) {
            await().atMost(WAIT).until(() -> runner.metrics().awaitingRetry() == 1);
            c.schedulePollTask(() -> c.rebalance(List.of(new TopicPartition(TOPIC, 1))));
            await().atMost(WAIT).until(() -> !revoked.isEmpty() && runner.metrics().awaitingRetry() == 0);
            await().atMost(WAIT).until(() -> c.committed(1) == 100);
        }
        assertThat(commitOfZeroAtRevoke).hasValue(10);
        assertThat(c.committed(0)).isEqualTo(10);
        assertThat(seen.attempts.get("0@10")).hasValue(1);
    }

    @Test
    void withKeyOrderingARetryHoldsOnlyItsKeyAndCloseDoesNotWaitItOut() throws Exception {
        LogConsumer c = new LogConsumer(1, 200, 10);
        Seen seen = new Seen(Set.of("0@5"), 5);
        Map<String, List<Long>> byKey = new ConcurrentHashMap<>();
        ConsumerRunner<String, String> runner = builder(c, seen).concurrency(4).ordering(Ordering.KEY)
                .errorPolicy(retries(Duration.ofMinutes(10))).closeTimeout(Duration.ofSeconds(10))
                .records(r -> {
                    seen.handle(r);
                    byKey.computeIfAbsent(r.key(), k -> new CopyOnWriteArrayList<>()).add(r.offset());
                }).start();
        // every record of the other nine keys is handled while k5's first record waits for its retry
        await().atMost(WAIT).until(() -> byKey.values().stream().mapToInt(List::size).sum() == 180);
        assertThat(runner.metrics().awaitingRetry()).isEqualTo(1);
        assertThat(byKey).doesNotContainKey("k5");
        long started = System.nanoTime();
        assertThat(runner.close(Duration.ofSeconds(10))).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("the 10 min backoff is not waited out")
                .isLessThan(Duration.ofSeconds(5));
        assertThat(c.committed(0)).as("never past the held record").isLessThanOrEqualTo(5);
        byKey.values().forEach(offsets -> assertThat(offsets).isSorted());
    }

    @Test
    void recordsWaitingForTheirRetryDoNotTakeTheInFlightLimitFromTheRest() throws Exception {
        // 4 of 100 records fail with a long backoff, more than the runner may have in flight (2): the others go on
        LogConsumer c = new LogConsumer(1, 100, 100);
        Seen seen = new Seen(Set.of("0@10", "0@20", "0@30", "0@40"), 5);
        ConsumerRunner<String, String> runner = builder(c, seen).concurrency(2).ordering(Ordering.KEY)
                .maxInFlight(2, ConsumerRunner.DEFAULT_MAX_IN_FLIGHT_BYTES)
                .errorPolicy(retries(Duration.ofMinutes(10))).closeTimeout(Duration.ofSeconds(10))
                .records(seen::handle).start();
        try {
            await().atMost(WAIT).until(() -> seen.succeeded.getOrDefault(new TopicPartition(TOPIC, 0), List.of())
                    .size() == 96);
            assertThat(runner.metrics().awaitingRetry()).isEqualTo(4);
            assertThat(runner.metrics().inFlight()).as("waiting retries stay counted as in flight (not committed)")
                    .isEqualTo(4);
        } finally {
            assertThat(runner.close(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(c.committed(0)).as("never past a held record").isLessThanOrEqualTo(10);
    }
}
