package io.kafkalab.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkalab.testkit.JvmProcess;
import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runners killed, closed mid-batch, and rebalanced under load: nothing lost, duplicates within the bound. */
@KafkaTest(brokers = 3)
class RunnerFailuresIT {

    private static final Logger LOG = LoggerFactory.getLogger(RunnerFailuresIT.class);
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** The rebalance test's {@code everyRecords(n)}. */
    private static final int REBALANCE_COMMIT_EVERY = 1000;

    private final List<JvmProcess> children = new ArrayList<>();

    @AfterEach
    void killChildren() {
        children.forEach(JvmProcess::close);
    }

    @Test
    void aKilledRunnerRedeliversOnlyWhatWasNotCommittedAndLosesNothing(KafkaCluster cluster) throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("crash");
        String group = KafkaTestUtils.uniqueGroup("crash");
        cluster.createTopic(topic, 3, 2);
        KafkaTestUtils.produce(cluster, topic, 100, i -> new ProducerRecord<>(topic, "k" + i % 10, "m" + i));

        // the child commits every 10 records and blocks in the handler of its 26th record: 25 processed, 20 committed
        JvmProcess child = startChild(cluster, topic, group, 10, 26);
        child.awaitLine("blocked"::equals, WAIT);
        List<String> beforeCrash = processed(child);
        assertThat(beforeCrash).hasSize(25);
        child.kill(); // SIGKILL: no close, no commit, no leave-group
        assertThat(KafkaTestUtils.committedOffsets(cluster, group).values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(20);

        Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        beforeCrash.forEach(v -> seen.computeIfAbsent(v, k -> new AtomicInteger()).incrementAndGet());
        List<String> afterRestart = new CopyOnWriteArrayList<>();
        try (ConsumerRunner<String, String> restarted = ConsumerRunner.builder(
                        KafkaTestUtils.consumerConfig(cluster, group), new StringDeserializer(), new StringDeserializer())
                .topics(topic).commitPolicy(CommitPolicy.everyRecords(10))
                .records(r -> {
                    afterRestart.add(r.value());
                    seen.computeIfAbsent(r.value(), k -> new AtomicInteger()).incrementAndGet();
                }).start()) {
            await().atMost(WAIT).until(() -> seen.size() == 100);
        }
        long duplicates = seen.values().stream().mapToInt(AtomicInteger::get).filter(n -> n > 1).count();
        LOG.info("crash: 25 processed before SIGKILL, 20 committed; after restart {} delivered, {} duplicates, 0 lost",
                afterRestart.size(), duplicates);
        assertThat(seen).hasSize(100);
        assertThat(afterRestart).hasSize(80).doesNotHaveDuplicates();
        assertThat(duplicates).as("the 5 processed but uncommitted records, under the policy's bound of 10")
                .isEqualTo(5);
    }

    @Test
    void sigtermClosesTheRunnerThroughItsShutdownHookAndCommitsWhatWasProcessed(KafkaCluster cluster) throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("sigterm");
        String group = KafkaTestUtils.uniqueGroup("sigterm");
        cluster.createTopic(topic, 3, 2);
        KafkaTestUtils.produce(cluster, topic, 100, i -> new ProducerRecord<>(topic, "k" + i % 10, "m" + i));

        // commits only every 1000 records: anything committed comes from the close on SIGTERM
        JvmProcess child = startChild(cluster, topic, group, 1000, 0);
        await().atMost(WAIT).until(() -> processed(child).size() == 100);
        assertThat(KafkaTestUtils.committedOffsets(cluster, group)).isEmpty();
        assertThat(child.terminate(WAIT)).as("exits on SIGTERM").isTrue();
        assertThat(KafkaTestUtils.committedOffsets(cluster, group).values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(100);
    }

    @Test
    void closeLetsTheBatchInProgressFinishCommitsItAndProcessesNothingMore(KafkaCluster cluster) throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("close");
        String group = KafkaTestUtils.uniqueGroup("close");
        cluster.createTopic(topic, 1, 2);
        KafkaTestUtils.produce(cluster, topic, 25, i -> new ProducerRecord<>(topic, "k", "m" + i));
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Long> handled = new CopyOnWriteArrayList<>();
        ConsumerRunner<String, String> runner = ConsumerRunner.builder(KafkaTestUtils.consumerConfig(cluster, group),
                        new StringDeserializer(), new StringDeserializer())
                .topics(topic).commitPolicy(CommitPolicy.everyRecords(1000))
                .batches(10, batch -> {
                    inHandler.countDown();
                    assertThat(release.await(60, TimeUnit.SECONDS)).isTrue();
                    batch.forEach(r -> handled.add(r.offset()));
                }).start();
        assertThat(inHandler.await(60, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Boolean> closed = CompletableFuture.supplyAsync(() -> runner.close(WAIT));
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !closed.isDone());
        assertThat(runner.isRunning()).isTrue();
        release.countDown();
        assertThat(closed.get(60, TimeUnit.SECONDS)).isTrue();

        assertThat(handled).hasSizeBetween(1, 10).startsWith(0L);
        assertThat(KafkaTestUtils.committedOffsets(cluster, group))
                .containsExactly(Map.entry(new TopicPartition(topic, 0), (long) handled.size()));
    }

    @Test
    void runnersJoiningAndLeavingWhileTenThousandRecordsFlowLoseNothing(KafkaCluster cluster) {
        String topic = KafkaTestUtils.uniqueTopic("rebalance");
        String group = KafkaTestUtils.uniqueGroup("rebalance");
        cluster.createTopic(topic, 3, 2);
        Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        AtomicInteger delivered = new AtomicInteger();
        List<Collection<TopicPartition>> assignments = new CopyOnWriteArrayList<>();
        AtomicInteger lostPartitions = new AtomicInteger();

        ConsumerRunner<String, String> a = runner(cluster, topic, group, seen, delivered, assignments, lostPartitions)
                .start();
        ConsumerRunner<String, String> b = runner(cluster, topic, group, seen, delivered, assignments, lostPartitions)
                .start();
        ConsumerRunner<String, String> c = null;
        try {
            await().atMost(WAIT).until(() -> a.metrics().lag().size() + b.metrics().lag().size() == 3);
            produce(cluster, topic, 0, 3000);
            c = runner(cluster, topic, group, seen, delivered, assignments, lostPartitions).start();
            ConsumerRunner<String, String> joined = c;
            await().atMost(WAIT).until(() -> !joined.metrics().lag().isEmpty());
            produce(cluster, topic, 3000, 6000);
            assertThat(a.close(WAIT)).isTrue();
            produce(cluster, topic, 6000, 10_000);
            await().atMost(WAIT).until(() -> seen.size() == 10_000);
        } finally {
            a.close(WAIT);
            b.close(WAIT);
            if (c != null) {
                c.close(WAIT);
            }
        }
        int duplicates = delivered.get() - seen.size();
        LOG.info("rebalance: 10000 produced, {} delivered, {} distinct, {} duplicates, {} rebalance callbacks, {}"
                        + " partitions lost", delivered.get(), seen.size(), duplicates, assignments.size(),
                lostPartitions.get());
        assertThat(seen).hasSize(10_000);
        // revocation and close commit synchronously what was processed: a rebalance re-delivers nothing. Only a
        // member that loses its partitions (its session expired) commits nothing for them: at most its
        // uncommitted records: fewer than the policy's n, plus a batch, per partition lost.
        assertThat(duplicates).as("duplicates; 0 unless partitions were lost (%d were)", lostPartitions.get())
                .isLessThanOrEqualTo(lostPartitions.get() * (REBALANCE_COMMIT_EVERY - 1 + 10));
    }

    private static ConsumerRunner<String, String> runner(KafkaCluster cluster, String topic, String group,
                                                         Map<String, AtomicInteger> seen, AtomicInteger delivered,
                                                         List<Collection<TopicPartition>> assignments,
                                                         AtomicInteger lostPartitions) {
        return ConsumerRunner.builder(KafkaTestUtils.consumerConfig(cluster, group), new StringDeserializer(),
                        new StringDeserializer())
                // commits rarely, so that what a rebalance re-delivers rests on the commit at revocation and close
                .topics(topic).commitPolicy(CommitPolicy.everyRecords(REBALANCE_COMMIT_EVERY))
                .listener(new ConsumerRunnerListener() {
                    @Override
                    public void onAssigned(Collection<TopicPartition> partitions) {
                        assignments.add(partitions);
                    }

                    @Override
                    public void onLost(Collection<TopicPartition> partitions) {
                        lostPartitions.addAndGet(partitions.size());
                    }
                })
                .batches(10, batch -> {
                    for (ConsumerRecord<String, String> r : batch) {
                        delivered.incrementAndGet();
                        seen.computeIfAbsent(r.value(), k -> new AtomicInteger()).incrementAndGet();
                    }
                });
    }

    private static void produce(KafkaCluster cluster, String topic, int from, int to) {
        KafkaTestUtils.produce(cluster, topic, to - from,
                i -> new ProducerRecord<>(topic, "k" + (from + i) % 100, "m" + (from + i)));
    }

    private JvmProcess startChild(KafkaCluster cluster, String topic, String group, int commitEvery, int blockAt) {
        JvmProcess p = JvmProcess.start(List.of("-Xmx256m", "-Dlog4j2.configurationFile=log4j2-child.xml"),
                ChildConsumerMain.class, cluster.bootstrapServers(), topic, group, String.valueOf(commitEvery),
                String.valueOf(blockAt));
        children.add(p);
        return p;
    }

    private static List<String> processed(JvmProcess child) {
        return child.lines().stream().filter(l -> l.startsWith("processed ")).map(l -> l.substring(10)).toList();
    }
}
