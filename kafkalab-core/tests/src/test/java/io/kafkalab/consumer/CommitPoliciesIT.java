package io.kafkalab.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * For each commit policy, the committed offset after 25 records and after close is exactly what the policy
 * promises, and after close every processed record is committed. One partition, so "the committed offset" is one
 * number.
 */
@KafkaTest(brokers = 3)
class CommitPoliciesIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** How long an offset must stay put to count as "not committed further". */
    private static final Duration STAYS = Duration.ofMillis(600);

    private final List<ConsumerRecord<String, String>> handled = new CopyOnWriteArrayList<>();

    @Test
    void afterEachRecordCommitsEveryRecord(KafkaCluster cluster) {
        try (Scenario s = new Scenario(cluster, b -> b.commitPolicy(CommitPolicy.afterEachRecord())
                .records(handled::add))) {
            s.awaitProcessed(25);
            s.awaitCommitted(25);
            assertThat(s.runner.metrics().commits()).isEqualTo(25);
            s.stop();
            assertThat(s.committed()).isEqualTo(25);
        }
    }

    @Test
    void everyTenRecordsCommitsTwentyAfterTwentyFiveAndTwentyFiveOnClose(KafkaCluster cluster) {
        try (Scenario s = new Scenario(cluster, b -> b.commitPolicy(CommitPolicy.everyRecords(10))
                .records(handled::add))) {
            s.awaitProcessed(25);
            s.assertCommittedStays(20);
            s.stop();
            assertThat(s.committed()).isEqualTo(25);
        }
    }

    @Test
    void theLabsBatchConsumerCommitsEveryTenRecords(KafkaCluster cluster) {
        List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        try (Scenario s = new Scenario(cluster, b -> b.commitPolicy(CommitPolicy.everyRecords(10))
                .batches(10, batch -> {
                    batchSizes.add(batch.size());
                    handled.addAll(batch);
                }))) {
            s.awaitProcessed(25);
            s.assertCommittedStays(20);
            s.stop();
            assertThat(s.committed()).isEqualTo(25);
            assertThat(batchSizes).allSatisfy(size -> assertThat(size).isBetween(1, 10));
        }
    }

    @Test
    void afterEachPollCommitsWhenThePollIsDone(KafkaCluster cluster) {
        List<Long> commits = new CopyOnWriteArrayList<>();
        // the 25 records are on the broker before the runner starts: one fetch, handed out in 5 polls of 5
        try (Scenario s = new Scenario(cluster, Map.of("max.poll.records", 5), b -> b
                .commitPolicy(CommitPolicy.afterEachPoll())
                .listener(new ConsumerRunnerListener() {
                    @Override
                    public void onCommitted(Map<TopicPartition, OffsetAndMetadata> offsets) {
                        offsets.values().forEach(o -> commits.add(o.offset()));
                    }
                })
                .records(handled::add))) {
            s.awaitProcessed(25);
            s.awaitCommitted(25);
            // one commit at the end of each poll (afterEachRecord would make 25, every record's offset)
            assertThat(commits).containsExactly(5L, 10L, 15L, 20L, 25L);
            assertThat(s.runner.metrics().commits()).isEqualTo(5);
            s.stop();
            assertThat(s.committed()).isEqualTo(25);
        }
    }

    @Test
    void intervalCommitsOnlyWhenTheClockSaysSo(KafkaCluster cluster) {
        MutableClock clock = new MutableClock();
        try (Scenario s = new Scenario(cluster, b -> b.clock(clock).commitPolicy(CommitPolicy.interval(Duration.ofHours(1)))
                .records(handled::add))) {
            s.awaitProcessed(25);
            s.assertNothingCommittedFor(STAYS);
            clock.advance(Duration.ofHours(1));
            s.awaitCommitted(25);
            s.stop();
            assertThat(s.committed()).isEqualTo(25);
        }
    }

    @Test
    void recordsOrIntervalCommitsOnWhicheverComesFirst(KafkaCluster cluster) {
        MutableClock clock = new MutableClock();
        try (Scenario s = new Scenario(cluster, b -> b.clock(clock)
                .commitPolicy(CommitPolicy.everyRecordsOrInterval(10, Duration.ofMinutes(5))).records(handled::add))) {
            s.awaitProcessed(25);
            s.assertCommittedStays(20);
            clock.advance(Duration.ofMinutes(5));
            s.awaitCommitted(25);
            s.stop();
            assertThat(s.committed()).isEqualTo(25);
        }
    }

    @Test
    void manualCommitsOnlyWhatTheHandlerAcknowledged(KafkaCluster cluster) {
        try (Scenario s = new Scenario(cluster, b -> b.commitPolicy(CommitPolicy.manual())
                .acknowledgingRecords((record, ack) -> {
                    handled.add(record);
                    if ((record.offset() + 1) % 7 == 0) {
                        ack.acknowledge();
                    }
                }))) {
            s.awaitProcessed(25);
            s.assertCommittedStays(21);
            s.stop();
            assertThat(s.committed()).as("records 21..24 were never acknowledged").isEqualTo(21);
        }
    }

    @Test
    void kafkaAutoCommitCommitsOnItsOwnAndOnClose(KafkaCluster cluster) {
        try (Scenario s = new Scenario(cluster, b -> b.commitPolicy(CommitPolicy.kafkaAutoCommit(Duration.ofMillis(200)))
                .records(handled::add))) {
            s.awaitProcessed(25);
            s.awaitCommitted(25);
            s.stop();
            assertThat(s.committed()).isEqualTo(25);
        }
    }

    @Test
    void asyncCommitsReachTheBrokerToo(KafkaCluster cluster) {
        try (Scenario s = new Scenario(cluster, b -> b.commitPolicy(CommitPolicy.everyRecords(5))
                .commitMode(CommitMode.ASYNC).records(handled::add))) {
            s.awaitProcessed(25);
            s.awaitCommitted(25);
            await().atMost(WAIT).until(() -> s.runner.metrics().lastCommitted().get(s.tp) != null
                    && s.runner.metrics().lastCommitted().get(s.tp) == 25);
            s.stop();
            assertThat(s.committed()).isEqualTo(25);
        }
    }

    /** One topic of one partition with 25 records, one runner in a fresh group. */
    private final class Scenario implements AutoCloseable {
        final KafkaCluster cluster;
        final String topic = KafkaTestUtils.uniqueTopic("policy");
        final String group = KafkaTestUtils.uniqueGroup("policy");
        final TopicPartition tp = new TopicPartition(topic, 0);
        final ConsumerRunner<String, String> runner;

        Scenario(KafkaCluster cluster,
                 Function<ConsumerRunner.Builder<String, String>, ConsumerRunner<String, String>> build) {
            this(cluster, Map.of(), build);
        }

        Scenario(KafkaCluster cluster, Map<String, Object> consumerConfig,
                 Function<ConsumerRunner.Builder<String, String>, ConsumerRunner<String, String>> build) {
            this.cluster = cluster;
            cluster.createTopic(topic, 1, 2);
            KafkaTestUtils.produce(cluster, topic, 25, i -> new ProducerRecord<>(topic, "k", "v" + i));
            Map<String, Object> config = KafkaTestUtils.consumerConfig(cluster, group);
            config.putAll(consumerConfig);
            runner = build.apply(ConsumerRunner.builder(config, new StringDeserializer(), new StringDeserializer())
                    .topics(topic)).start();
        }

        void awaitProcessed(int count) {
            await().atMost(WAIT).until(() -> handled.size() >= count);
            assertThat(handled).extracting(ConsumerRecord::offset).startsWith(0L, 1L, 2L).hasSize(count);
        }

        Long committed() {
            return KafkaTestUtils.committedOffsets(cluster, group).get(tp);
        }

        void awaitCommitted(long offset) {
            await().atMost(WAIT).until(() -> committed() != null && committed() == offset);
        }

        void assertCommittedStays(long offset) {
            awaitCommitted(offset);
            await().during(STAYS).atMost(STAYS.multipliedBy(3)).until(() -> committed() == offset);
        }

        void assertNothingCommittedFor(Duration d) {
            await().during(d).atMost(d.multipliedBy(3)).until(() -> committed() == null);
        }

        void stop() {
            assertThat(runner.close(WAIT)).isTrue();
            assertThat(runner.failure()).isNull();
        }

        @Override
        public void close() {
            runner.close(WAIT);
        }
    }
}
