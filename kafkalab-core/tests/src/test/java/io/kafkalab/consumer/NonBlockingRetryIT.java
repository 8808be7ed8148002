package io.kafkalab.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Non-blocking retries of the sequential runner against a real cluster: 1 % of 3 000 records on 3 partitions fail
 * twice with a 200 ms backoff. Each is handled once after it succeeds, every partition keeps its order, the other
 * partitions are handled while one is held, and no commit passes a held record.
 */
@KafkaTest(brokers = 1)
class NonBlockingRetryIT {

    private static final Duration WAIT = Duration.ofSeconds(45);

    @Test
    void onePercentFailingTwiceHoldOnlyTheirPartitionAndEveryRecordIsHandledOnce(KafkaCluster cluster)
            throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("nonblocking");
        String group = KafkaTestUtils.uniqueGroup("nonblocking");
        int records = 3_000;
        cluster.createTopic(topic, 3, 1);
        KafkaTestUtils.produce(cluster, topic, records, i -> new ProducerRecord<>(topic, i % 3, "k" + i, "v" + i));
        Set<String> failing = new HashSet<>();
        for (int p = 0; p < 3; p++) {
            for (int o = 17; o < records / 3; o += 100) {
                failing.add(p + "@" + o); // 10 per partition: 1 %
            }
        }
        NonBlockingRetryTest.Seen seen = new NonBlockingRetryTest.Seen(failing, 2);
        try (ConsumerRunner<String, String> runner = ConsumerRunner
                .builder(KafkaTestUtils.consumerConfig(cluster, group), new StringDeserializer(),
                        new StringDeserializer())
                .topics(topic).listener(seen).commitPolicy(CommitPolicy.everyRecords(50))
                .errorPolicy(ErrorPolicy.retry(3, Duration.ofMillis(200), Duration.ofMillis(200), ErrorPolicy.stop()))
                .records(seen::handle).start()) {
            await().atMost(WAIT).until(() -> {
                Map<TopicPartition, Long> c = KafkaTestUtils.committedOffsets(cluster, group);
                return c.size() == 3 && c.values().stream().allMatch(o -> o == records / 3);
            });
            assertThat(runner.failure()).isNull();
            assertThat(runner.metrics().retries()).isEqualTo(60);
        }
        for (int p = 0; p < 3; p++) {
            assertThat(seen.succeeded.get(new TopicPartition(topic, p))).as("partition %d", p)
                    .hasSize(records / 3).isSorted().doesNotHaveDuplicates();
        }
        failing.forEach(id -> assertThat(seen.attempts.get(id)).as(id).hasValue(3));
        assertThat(seen.commitsPastAFailedRecord).isEmpty();
        long heldWithProgress = failing.stream().filter(id -> NonBlockingRetryTest.othersBetween(seen.calls, id) > 0).count();
        assertThat(heldWithProgress).as("holds during which other partitions were handled").isPositive();
    }
}
