package io.kafkalab.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@KafkaTest(brokers = 3)
class ConsumerRunnerIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void subscribesByPattern(KafkaCluster cluster) {
        String prefix = KafkaTestUtils.uniqueName("pattern");
        for (String t : List.of(prefix + "-a", prefix + "-b", "other-" + prefix)) {
            cluster.createTopic(t, 1, 1);
            KafkaTestUtils.produce(cluster, t, 5, i -> new ProducerRecord<>(t, "k", t + "/" + i));
        }
        List<String> topics = new CopyOnWriteArrayList<>();
        try (ConsumerRunner<String, String> runner = ConsumerRunner.builder(
                        KafkaTestUtils.consumerConfig(cluster, KafkaTestUtils.uniqueGroup("pattern")),
                        new StringDeserializer(), new StringDeserializer())
                .pattern(Pattern.compile(Pattern.quote(prefix) + "-.*"))
                .records(r -> topics.add(r.topic())).start()) {
            await().atMost(WAIT).until(() -> topics.size() == 10);
            assertThat(topics).containsOnly(prefix + "-a", prefix + "-b");
        }
    }

    @Test
    void runsOnTheCallersThreadUntilAHandlerClosesIt(KafkaCluster cluster) {
        String topic = KafkaTestUtils.uniqueTopic("run");
        String group = KafkaTestUtils.uniqueGroup("run");
        cluster.createTopic(topic, 1, 1);
        KafkaTestUtils.produce(cluster, topic, 20, i -> new ProducerRecord<>(topic, "k", "v" + i));
        AtomicReference<ConsumerRunner<String, String>> self = new AtomicReference<>();
        List<Long> handled = new CopyOnWriteArrayList<>();
        ConsumerRunner<String, String> runner = ConsumerRunner.builder(KafkaTestUtils.consumerConfig(cluster, group),
                        new StringDeserializer(), new StringDeserializer())
                .topics(topic).commitPolicy(CommitPolicy.everyRecords(1000))
                .records(r -> {
                    handled.add(r.offset());
                    if (handled.size() == 5) {
                        assertThat(self.get().close(WAIT)).as("close from the handler returns at once").isFalse();
                    }
                });
        self.set(runner);
        runner.run(); // returns once the handler asked to stop

        assertThat(handled).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(KafkaTestUtils.committedOffsets(cluster, group))
                .containsExactly(Map.entry(new TopicPartition(topic, 0), 5L));
        RunnerMetrics m = runner.metrics();
        assertThat(m.recordsProcessed()).isEqualTo(5);
        assertThat(m.lastCommitted()).containsEntry(new TopicPartition(topic, 0), 5L);
        assertThat(runner.isRunning()).isFalse();
    }

    @Test
    void reportsLagAndCommitsInItsMetricsAndListener(KafkaCluster cluster) {
        String topic = KafkaTestUtils.uniqueTopic("metrics");
        cluster.createTopic(topic, 3, 2);
        KafkaTestUtils.produce(cluster, topic, 60, i -> new ProducerRecord<>(topic, "k" + i, "v" + i));
        List<Map<TopicPartition, OffsetAndMetadata>> commits = new CopyOnWriteArrayList<>();
        try (ConsumerRunner<String, String> runner = ConsumerRunner.builder(
                        KafkaTestUtils.consumerConfig(cluster, KafkaTestUtils.uniqueGroup("metrics")),
                        new StringDeserializer(), new StringDeserializer())
                .topics(topic).commitPolicy(CommitPolicy.afterEachPoll())
                .listener(new ConsumerRunnerListener() {
                    @Override
                    public void onCommitted(Map<TopicPartition, OffsetAndMetadata> offsets) {
                        commits.add(offsets);
                    }
                })
                .records(r -> { }).start()) {
            await().atMost(WAIT).until(() -> runner.metrics().recordsProcessed() == 60
                    && runner.metrics().lastCommitted().values().stream().mapToLong(Long::longValue).sum() == 60);
            await().atMost(WAIT).until(() -> runner.metrics().lag().size() == 3
                    && runner.metrics().lag().values().stream().allMatch(l -> l == 0));
            assertThat(commits).isNotEmpty();
            assertThat(runner.metrics().commitFailures()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(CommitMode.class)
    void partitionsLostAfterExceedingMaxPollIntervalAreNotCommitted(CommitMode mode, KafkaCluster cluster)
            throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("lost");
        String group = KafkaTestUtils.uniqueGroup("lost");
        cluster.createTopic(topic, 1, 1);
        KafkaTestUtils.produce(cluster, topic, 3, i -> new ProducerRecord<>(topic, "k", "v" + i));
        Map<String, Object> config = KafkaTestUtils.consumerConfig(cluster, group);
        config.put("max.poll.interval.ms", 1500);
        CountDownLatch release = new CountDownLatch(1);
        List<Collection<TopicPartition>> lost = new CopyOnWriteArrayList<>();
        List<Long> handled = new CopyOnWriteArrayList<>();
        List<Exception> commitErrors = new CopyOnWriteArrayList<>();
        try (ConsumerRunner<String, String> runner = ConsumerRunner.builder(config, new StringDeserializer(),
                        new StringDeserializer())
                .topics(topic).commitPolicy(CommitPolicy.afterEachRecord()).commitMode(mode)
                .listener(new ConsumerRunnerListener() {
                    @Override
                    public void onLost(Collection<TopicPartition> partitions) {
                        lost.add(partitions);
                    }

                    @Override
                    public void onCommitFailed(Map<TopicPartition, OffsetAndMetadata> offsets, Exception error) {
                        commitErrors.add(error);
                    }
                })
                .records(r -> {
                    if (r.offset() == 1 && release.getCount() > 0) {
                        // slow work: the consumer exceeds max.poll.interval.ms and is expelled from the group
                        assertThat(release.await(60, TimeUnit.SECONDS)).isTrue();
                    }
                    handled.add(r.offset());
                }).start()) {
            await().atMost(WAIT).until(() -> cluster.admin().describeConsumerGroups(List.of(group)).all()
                    .get().get(group).members().isEmpty());
            release.countDown();
            await().atMost(WAIT).until(() -> !lost.isEmpty());
            assertThat(lost.get(0)).containsExactly(new TopicPartition(topic, 0));
            assertThat(commitErrors).isNotEmpty()
                    .allSatisfy(e -> assertThat(e).isInstanceOf(org.apache.kafka.clients.consumer.CommitFailedException.class));
            assertThat(runner.metrics().commitFailures()).isEqualTo(commitErrors.size());
            // the runner rejoins, gets the partition back and re-reads from the last good commit (1)
            await().atMost(WAIT).until(() -> handled.lastIndexOf(1L) > 1 && handled.lastIndexOf(2L) > handled.lastIndexOf(1L));
        }
        if (mode == CommitMode.SYNC) {
            // a synchronous failure is seen before the next record: the rest of the poll is dropped at once
            assertThat(handled).containsExactly(0L, 1L, 1L, 2L);
            assertThat(commitErrors).hasSize(1);
        }
        assertThat(KafkaTestUtils.committedOffsets(cluster, group).get(new TopicPartition(topic, 0))).isEqualTo(3L);
    }

    @Test
    void anErrorFromTheHandlerNeverLetsKafkasAutoCommitCommitUnprocessedRecords(KafkaCluster cluster)
            throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("error");
        String group = KafkaTestUtils.uniqueGroup("error");
        cluster.createTopic(topic, 1, 1);
        KafkaTestUtils.produce(cluster, topic, 10, i -> new ProducerRecord<>(topic, "k", "v" + i));
        ConsumerRunner<String, String> runner = ConsumerRunner.builder(KafkaTestUtils.consumerConfig(cluster, group),
                        new StringDeserializer(), new StringDeserializer())
                .topics(topic).commitPolicy(CommitPolicy.kafkaAutoCommit(Duration.ofHours(1)))
                .records(r -> {
                    if (r.offset() == 5) {
                        throw new OutOfMemoryError("simulated: the JVM is in trouble");
                    }
                }).start();
        assertThat(runner.awaitTermination(WAIT)).isTrue();
        assertThat(runner.failure()).isInstanceOf(OutOfMemoryError.class);
        // the consumer's close auto-commits its position: rewound to the failed record, not past the poll
        assertThat(KafkaTestUtils.committedOffsets(cluster, group))
                .containsExactly(Map.entry(new TopicPartition(topic, 0), 5L));
    }
}
