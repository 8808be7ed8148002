package io.kafkalab.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Retry topics on a real cluster: a record that keeps failing travels through the stages into the dead-letter topic
 * with headers that say where it came from, why and when; a runner closed while a record waits in a stage loses
 * nothing, and its successor handles it no earlier than it is due.
 */
@KafkaTest(brokers = 1)
class RetryTopicsIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    /** One handler call: the topic it read from, the offset, the record's due header (or -1), and the time. */
    record Call(String topic, long offset, String value, long due, long at) {
    }

    private static long due(ConsumerRecord<?, ?> r) {
        var h = r.headers().lastHeader(RetryTopics.DUE);
        return h == null ? -1 : Long.parseLong(new String(h.value(), StandardCharsets.UTF_8));
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
        return new String(r.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }

    private static Producer<byte[], byte[]> producer(KafkaCluster cluster) {
        Map<String, Object> config = new HashMap<>(cluster.adminConfig());
        config.put("acks", "all");
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static ConsumerRunner<String, String> runner(KafkaCluster cluster, String group, String topic,
                                                         RetryTopics stages, List<Call> calls,
                                                         java.util.function.Predicate<Call> fails) {
        return ConsumerRunner.builder(KafkaTestUtils.consumerConfig(cluster, group), new StringDeserializer(),
                        new StringDeserializer())
                .topics(topic).retryTopics(stages).commitPolicy(CommitPolicy.afterEachRecord())
                .records(r -> {
                    Call c = new Call(r.topic(), r.offset(), r.value(), due(r), System.currentTimeMillis());
                    calls.add(c);
                    if (fails.test(c)) {
                        throw new IllegalStateException("cannot handle " + r.value());
                    }
                }).start();
    }

    @Test
    void aRecordFailingThreeTimesTravelsThroughTheStagesIntoTheDeadLetterTopic(KafkaCluster cluster) {
        String topic = KafkaTestUtils.uniqueTopic("stages");
        String group = KafkaTestUtils.uniqueGroup("stages");
        cluster.createTopic(topic, 2, 1);
        KafkaTestUtils.produce(cluster, topic, 6, i -> new ProducerRecord<>(topic, 0, "k" + i, "v" + i));
        List<Call> calls = new CopyOnWriteArrayList<>();
        try (Producer<byte[], byte[]> producer = producer(cluster)) {
            RetryTopics stages = RetryTopics.builder(producer)
                    .delays(Duration.ofMillis(300), Duration.ofMillis(600)).build();
            assertThat(stages.stageTopics(topic)).containsExactly(topic + ".retry-300", topic + ".retry-600");
            try (ConsumerRunner<String, String> runner = runner(cluster, group, topic, stages, calls,
                    c -> c.value().equals("v3"))) {
                // the runner created the stage and dead-letter topics, with the source topic's two partitions
                await().atMost(WAIT).until(() -> cluster.listTopics().contains(topic + ".DLT"));
                assertThat(cluster.describeTopic(topic + ".retry-600").partitions()).hasSize(2);
                List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestUtils.consume(cluster, topic + ".DLT", 1, WAIT,
                        new ByteArrayDeserializer(), new ByteArrayDeserializer());
                ConsumerRecord<byte[], byte[]> d = dead.get(0);
                assertThat(new String(d.value(), StandardCharsets.UTF_8)).isEqualTo("v3");
                assertThat(header(d, DeadLetterPolicy.ORIGINAL_TOPIC)).isEqualTo(topic);
                assertThat(header(d, DeadLetterPolicy.ORIGINAL_PARTITION)).isEqualTo("0");
                assertThat(header(d, DeadLetterPolicy.ORIGINAL_OFFSET)).isEqualTo("3");
                assertThat(header(d, DeadLetterPolicy.ORIGINAL_TIMESTAMP)).matches("\\d{13}");
                assertThat(header(d, DeadLetterPolicy.ATTEMPTS)).isEqualTo("3");
                assertThat(header(d, DeadLetterPolicy.EXCEPTION_CLASS)).isEqualTo(IllegalStateException.class.getName());
                assertThat(header(d, DeadLetterPolicy.EXCEPTION_MESSAGE)).isEqualTo("cannot handle v3");
                assertThat(header(d, DeadLetterPolicy.CONSUMER_GROUP)).isEqualTo(group);
                assertThat(d.headers().lastHeader(RetryTopics.DUE)).isNull();
                await().atMost(WAIT).until(() -> {
                    Map<TopicPartition, Long> c = KafkaTestUtils.committedOffsets(cluster, group);
                    return Long.valueOf(6).equals(c.get(new TopicPartition(topic, 0)))
                            && Long.valueOf(1).equals(c.get(new TopicPartition(topic + ".retry-600", 0)));
                });
            }
            List<ConsumerRecord<byte[], byte[]>> second = KafkaTestUtils.consume(cluster, topic + ".retry-600", 1,
                    WAIT, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            assertThat(header(second.get(0), RetryTopics.ATTEMPT)).isEqualTo("3");
            assertThat(header(second.get(0), DeadLetterPolicy.ORIGINAL_TOPIC)).as("the first topic, not the stage")
                    .isEqualTo(topic);
        }
        List<Call> v3 = calls.stream().filter(c -> c.value().equals("v3")).toList();
        assertThat(v3).extracting(Call::topic).containsExactly(topic, topic + ".retry-300", topic + ".retry-600");
        assertThat(v3.get(1).due() - v3.get(0).at()).as("due 300 ms after the failure").isBetween(250L, 400L);
        v3.stream().skip(1).forEach(c -> assertThat(c.at()).as("never early").isGreaterThanOrEqualTo(c.due()));
        assertThat(calls.stream().filter(c -> c.topic().equals(topic))).extracting(Call::value)
                .containsExactly("v0", "v1", "v2", "v3", "v4", "v5");
    }

    @Test
    void aRestartWhileARecordWaitsInAStageLosesNothingAndRetriesNothingEarly(KafkaCluster cluster) throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("restart");
        String group = KafkaTestUtils.uniqueGroup("restart");
        cluster.createTopic(topic, 1, 1);
        KafkaTestUtils.produce(cluster, topic, 3, i -> new ProducerRecord<>(topic, "k" + i, "v" + i));
        List<Call> calls = new CopyOnWriteArrayList<>();
        try (Producer<byte[], byte[]> producer = producer(cluster)) {
            RetryTopics stages = RetryTopics.builder(producer).delays(Duration.ofSeconds(3)).build();
            String stage = topic + ".retry-3000";
            // the first runner: v1 fails once and waits in the stage; it is closed before v1 is due
            try (ConsumerRunner<String, String> first = runner(cluster, group, topic, stages, calls,
                    c -> c.value().equals("v1") && c.topic().equals(topic))) {
                await().atMost(WAIT).until(() -> first.metrics().awaitingRetry() == 1);
                assertThat(first.close(WAIT)).isTrue();
            }
            assertThat(calls).extracting(Call::topic).containsOnly(topic);
            Long stageCommit = KafkaTestUtils.committedOffsets(cluster, group).get(new TopicPartition(stage, 0));
            assertThat(stageCommit == null || stageCommit == 0).as("the waiting record is not committed").isTrue();
            // the second runner of the group handles it from the stage, at its due time and not before
            try (ConsumerRunner<String, String> second = runner(cluster, group, topic, stages, calls, c -> false)) {
                await().atMost(WAIT).until(() -> Long.valueOf(1).equals(
                        KafkaTestUtils.committedOffsets(cluster, group).get(new TopicPartition(stage, 0))));
            }
        }
        List<Call> retried = calls.stream().filter(c -> c.topic().endsWith(".retry-3000")).toList();
        assertThat(retried).singleElement().satisfies(c -> {
            assertThat(c.value()).isEqualTo("v1");
            assertThat(c.at()).as("not before it is due").isGreaterThanOrEqualTo(c.due());
        });
        assertThat(calls.stream().filter(c -> c.topic().equals(topic))).extracting(Call::value)
                .containsExactly("v0", "v1", "v2");
    }
}
