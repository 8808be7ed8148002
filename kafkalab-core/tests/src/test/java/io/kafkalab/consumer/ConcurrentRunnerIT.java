package io.kafkalab.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import io.kafkalab.consumer.internal.OffsetCodec;
import io.kafkalab.testkit.JvmProcess;
import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Concurrent runners on a real 3-broker cluster: key order under random handler times, a SIGKILL mid-flight and the
 * restart that must skip what the commit metadata records as completed, a rebalance storm with a coordinator restart,
 * and the metadata budget under sparse completions.
 */
@KafkaTest(brokers = 3)
class ConcurrentRunnerIT {

    private static final Logger LOG = LoggerFactory.getLogger(ConcurrentRunnerIT.class);
    private static final Duration WAIT = Duration.ofSeconds(90);

    private final List<JvmProcess> children = new ArrayList<>();

    @AfterEach
    void killChildren() {
        children.forEach(JvmProcess::close);
    }

    /** Per key: the offsets in the order the handler saw them, each with the runner that saw it. */
    private static final class KeyLog {
        final Map<String, List<Long>> byKey = new ConcurrentHashMap<>();
        final Map<String, AtomicBoolean> running = new ConcurrentHashMap<>();
        final Set<String> seen = ConcurrentHashMap.newKeySet();
        final AtomicInteger handled = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();

        void handle(String key, int partition, long offset, long workNanos) {
            if (!running.computeIfAbsent(key, k -> new AtomicBoolean()).compareAndSet(false, true)) {
                overlaps.incrementAndGet();
            }
            LockSupport.parkNanos(workNanos); // simulated work
            byKey.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(offset);
            seen.add(partition + "@" + offset);
            handled.incrementAndGet();
            running.get(key).set(false);
        }

        /** The first time each record was handled, per key: must be in offset order even across rebalances. */
        void assertFirstHandlingInKeyOrder() {
            byKey.forEach((key, offsets) -> {
                List<Long> first = new ArrayList<>();
                Set<Long> met = new HashSet<>();
                for (long o : offsets) {
                    if (met.add(o)) {
                        first.add(o);
                    }
                }
                assertThat(first).as("first handling of key %s", key).isSorted();
            });
        }
    }

    @Test
    void keyOrderingKeepsEveryKeysOrderAndHandlesEveryRecordOnce(KafkaCluster cluster) throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("key-order");
        String group = KafkaTestUtils.uniqueGroup("key-order");
        cluster.createTopic(topic, 3, 2);
        // keys are spread over the partitions by the default partitioner; each key lives in one partition
        KafkaTestUtils.produce(cluster, topic, 10_000, i -> new ProducerRecord<>(topic, "user-" + (i % 100), "m" + i));
        Random random = new Random(7);
        long[] work = new long[10_000];
        for (int i = 0; i < work.length; i++) {
            work[i] = random.nextInt(1_000_000);
        }
        KeyLog log = new KeyLog();
        AtomicInteger index = new AtomicInteger();
        try (ConsumerRunner<String, String> runner = ConsumerRunner.builder(
                        KafkaTestUtils.consumerConfig(cluster, group), new StringDeserializer(), new StringDeserializer())
                .topics(topic).concurrency(32).ordering(Ordering.KEY)
                .records(r -> log.handle(r.key(), r.partition(), r.offset(),
                        work[index.getAndIncrement() % work.length])).start()) {
            await().atMost(WAIT).until(() -> log.handled.get() >= 10_000);
            await().atMost(WAIT).until(() -> KafkaTestUtils.committedOffsets(cluster, group)
                    .equals(KafkaTestUtils.endOffsets(cluster, topic)));
            assertThat(runner.metrics().commitFailures()).isZero();
        }
        assertThat(log.overlaps).as("a key handled twice at once").hasValue(0);
        assertThat(log.handled).as("every record once").hasValue(10_000);
        assertThat(log.seen).hasSize(10_000);
        assertThat(log.byKey).hasSize(100);
        log.byKey.values().forEach(offsets -> assertThat(offsets).isSorted());
    }

    @Test
    void aKilledRunnerLosesNothingAndTheRestartSkipsWhatTheCommitRecordedAsCompleted(KafkaCluster cluster)
            throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("kill-concurrent");
        String group = KafkaTestUtils.uniqueGroup("kill-concurrent");
        cluster.createTopic(topic, 3, 2);
        int total = 20_000;
        KafkaTestUtils.produce(cluster, topic, total, i -> new ProducerRecord<>(topic, "k" + (i % 500), "m" + i));

        // partition 0's record at offset 100 never finishes in the first run: its commit stays at 100 while the
        // records after it complete, so the commit metadata must carry them (without it the restart repeats them)
        JvmProcess first = child(cluster, topic, group, "0:100");
        first.awaitLine(l -> l.startsWith("d ") && first.lines().stream().filter(x -> x.startsWith("d ")).count() >= 4000,
                WAIT);
        TopicPartition held = new TopicPartition(topic, 0);
        await().atMost(WAIT).until(() -> {
            OffsetAndMetadata c = cluster.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get().get(held);
            return c != null && c.offset() == 100 && OffsetCodec.decode(c.metadata()).completed().cardinality() > 0;
        });
        first.kill(); // SIGKILL mid-flight: no close, no commit, no leave-group
        Set<String> started = lines(first, "s ");
        Set<String> done = lines(first, "d ");
        Set<String> inFlight = new HashSet<>(started);
        inFlight.removeAll(done);

        // what the group's commit says is complete: below the committed offset, or in the metadata's set above it
        Map<TopicPartition, OffsetAndMetadata> commits = cluster.admin().listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, Long> ends = KafkaTestUtils.endOffsets(cluster, topic);
        Set<String> recordedComplete = new HashSet<>();
        long recordedAbove = 0;
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            OffsetAndMetadata c = commits.get(e.getKey());
            long base = c == null ? 0 : c.offset();
            OffsetCodec.Decoded d = OffsetCodec.decode(c == null ? null : c.metadata());
            for (long o = 0; o < e.getValue(); o++) {
                if (o < base || d.completed(o - base)) {
                    recordedComplete.add(e.getKey().partition() + "@" + o);
                    recordedAbove += o >= base ? 1 : 0;
                }
            }
        }
        assertThat(recordedAbove).as("the commit metadata records completed offsets above the committed ones")
                .isPositive();
        assertThat(done).as("everything recorded complete was handled").containsAll(recordedComplete);

        JvmProcess second = child(cluster, topic, group);
        await().atMost(WAIT).until(() -> KafkaTestUtils.committedOffsets(cluster, group).equals(ends));
        second.terminate(WAIT);
        Set<String> again = lines(second, "d ");
        Set<String> all = new HashSet<>();
        ends.forEach((tp, end) -> {
            for (long o = 0; o < end; o++) {
                all.add(tp.partition() + "@" + o);
            }
        });
        Set<String> expected = new HashSet<>(all);
        expected.removeAll(recordedComplete);
        Set<String> duplicates = new HashSet<>(again);
        duplicates.retainAll(done);
        LOG.info("killed at {} done, {} in flight; {} recorded complete ({} above the committed offsets); restart"
                + " handled {}, {} of them handled before the kill", done.size(), inFlight.size(),
                recordedComplete.size(), recordedAbove, again.size(), duplicates.size());
        // exactly what the commit did not record as complete is handled again: nothing lost, nothing completed and
        // recorded handled twice
        assertThat(again).isEqualTo(expected);
        Set<String> union = new HashSet<>(done);
        union.addAll(again);
        assertThat(union).as("0 lost").isEqualTo(all);
        assertThat(duplicates.size()).as("duplicates: at most what was in flight or done since the last commit")
                .isLessThanOrEqualTo(inFlight.size() + (done.size() - recordedComplete.size()));
    }

    @Test
    void aRebalanceStormAndACoordinatorRestartLoseNothingAndKeepKeyOrder(KafkaCluster cluster) throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("storm-concurrent");
        String group = KafkaTestUtils.uniqueGroup("storm-concurrent");
        cluster.createTopic(topic, 6, 3);
        KeyLog log = new KeyLog();
        List<ConsumerRunner<String, String>> runners = new CopyOnWriteArrayList<>();
        Random random = new Random(3);
        try {
            for (int i = 0; i < 3; i++) {
                runners.add(stormRunner(cluster, topic, group, log).start());
            }
            int produced = 0;
            for (int round = 0; round < 6; round++) {
                int from = produced;
                KafkaTestUtils.produce(cluster, topic, 2_000,
                        i -> new ProducerRecord<>(topic, "k" + ((from + i) % 200), "m" + (from + i)));
                produced += 2_000;
                // one runner leaves, a new one joins: two rebalances per round, records in flight each time
                ConsumerRunner<String, String> leaving = runners.remove(random.nextInt(runners.size()));
                assertThat(leaving.close(WAIT)).isTrue();
                runners.add(stormRunner(cluster, topic, group, log).start());
                if (round == 3) {
                    int coordinator = cluster.admin().describeConsumerGroups(List.of(group)).all().get().get(group)
                            .coordinator().id();
                    cluster.stopBroker(coordinator);
                    LOG.info("stopped broker {}, the coordinator of {}", coordinator, group);
                    KafkaTestUtils.produce(cluster, topic, 1_000,
                            i -> new ProducerRecord<>(topic, "k" + (i % 200), "late" + i));
                    produced += 1_000;
                    cluster.startBroker(coordinator);
                    cluster.awaitFullyReplicated(topic);
                }
            }
            int expected = produced;
            await().atMost(WAIT).until(() -> log.seen.size() == expected);
            await().atMost(WAIT).until(() -> KafkaTestUtils.committedOffsets(cluster, group)
                    .equals(KafkaTestUtils.endOffsets(cluster, topic)));
            LOG.info("storm: {} produced, {} handled, {} duplicates", expected, log.handled.get(),
                    log.handled.get() - log.seen.size());
            assertThat(log.seen).as("0 lost").hasSize(expected);
        } finally {
            for (ConsumerRunner<String, String> r : runners) {
                r.close(WAIT);
            }
        }
        assertThat(log.overlaps).as("a key handled twice at once").hasValue(0);
        log.assertFirstHandlingInKeyOrder();
    }

    private static ConsumerRunner<String, String> stormRunner(KafkaCluster cluster, String topic, String group,
                                                              KeyLog log) {
        return ConsumerRunner.builder(KafkaTestUtils.consumerConfig(cluster, group), new StringDeserializer(),
                        new StringDeserializer())
                .topics(topic).concurrency(16).ordering(Ordering.KEY).commitPolicy(CommitPolicy.afterEachPoll())
                .commitMode(CommitMode.ASYNC)
                .records(r -> log.handle(r.key(), r.partition(), r.offset(), Math.floorMod(r.offset() * 7919, 300_000)));
    }

    @Test
    void sparseCompletionsPauseThePartitionAndEveryCommitIsAccepted(KafkaCluster cluster) throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("budget");
        String group = KafkaTestUtils.uniqueGroup("budget");
        cluster.createTopic(topic, 1, 2);
        int total = 40_000;
        KafkaTestUtils.produce(cluster, topic, total, i -> new ProducerRecord<>(topic, "k" + i, "m" + i));
        List<Acknowledgment> held = new CopyOnWriteArrayList<>();
        AtomicBoolean ackAll = new AtomicBoolean();
        List<String> metadata = new CopyOnWriteArrayList<>();
        AtomicInteger handled = new AtomicInteger();
        try (ConsumerRunner<String, String> runner = ConsumerRunner.builder(
                        KafkaTestUtils.consumerConfig(cluster, group), new StringDeserializer(), new StringDeserializer())
                .topics(topic).concurrency(8).ordering(Ordering.UNORDERED).maxInFlight(total, Long.MAX_VALUE)
                .commitPolicy(CommitPolicy.manual())
                .listener(new ConsumerRunnerListener() {
                    @Override
                    public void onCommitted(Map<TopicPartition, OffsetAndMetadata> offsets) {
                        offsets.values().forEach(o -> metadata.add(o.metadata()));
                    }
                })
                .acknowledgingRecords((r, ack) -> {
                    handled.incrementAndGet();
                    if (r.offset() % 2 == 0 || ackAll.get()) {
                        ack.acknowledge();
                    } else {
                        held.add(ack); // every other record unacknowledged: as sparse as completions get
                    }
                }).start()) {
            await().atMost(WAIT).until(() -> runner.metrics().pauses() > 0 && held.size() > 1000
                    && runner.metrics().inFlight() == held.size());
            assertThat(handled.get()).as("hand-out stopped at the budget").isLessThan(total / 2);
            Map<TopicPartition, OffsetAndMetadata> atBudget = cluster.admin().listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            assertThat(atBudget.get(new TopicPartition(topic, 0)).metadata())
                    .as("the broker kept the metadata").startsWith(OffsetCodec.PREFIX);
            ackAll.set(true);
            held.forEach(Acknowledgment::acknowledge);
            await().atMost(WAIT).until(() -> KafkaTestUtils.committedOffsets(cluster, group)
                    .get(new TopicPartition(topic, 0)) == total);
            assertThat(runner.metrics().commitFailures()).as("no commit rejected").isZero();
        }
        assertThat(metadata).allSatisfy(m -> assertThat(m == null ? 0 : m.length())
                .isLessThanOrEqualTo(OffsetCodec.BUDGET));
        assertThat(metadata).anySatisfy(m -> assertThat(m).isNotNull().hasSizeGreaterThan(OffsetCodec.BUDGET / 2));
    }

    private JvmProcess child(KafkaCluster cluster, String topic, String group, String... hold) {
        List<String> args = new ArrayList<>(List.of(cluster.bootstrapServers(), topic, group, "8"));
        args.addAll(List.of(hold));
        JvmProcess p = JvmProcess.start(List.of("-Xmx256m", "-Dlog4j2.configurationFile=log4j2-child.xml"),
                ChildConcurrentMain.class, args.toArray(String[]::new));
        children.add(p);
        return p;
    }

    private static Set<String> lines(JvmProcess p, String prefix) {
        Set<String> out = new HashSet<>();
        for (String l : p.lines()) {
            if (l.startsWith(prefix)) {
                String[] f = l.split(" ");
                out.add(f[1] + "@" + f[2]);
            }
        }
        return out;
    }
}
