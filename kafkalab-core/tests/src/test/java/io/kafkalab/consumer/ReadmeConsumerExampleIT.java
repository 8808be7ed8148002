package io.kafkalab.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkalab.message.CustomMessage;
import io.kafkalab.message.CustomMessageDeserializer;
import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** The consumer example of docs/core-api.md (the lab's batch consumer), compiled and run. */
@KafkaTest(brokers = 3)
class ReadmeConsumerExampleIT {

    @Test
    void theLabsBatchConsumer(KafkaCluster cluster) {
        String bootstrapServers = cluster.bootstrapServers();
        String topic = KafkaTestUtils.uniqueTopic("readme");
        String group = KafkaTestUtils.uniqueGroup("batch-group");
        cluster.createTopic(topic, 3, 2);
        KafkaTestUtils.produce(cluster, topic, 100, i -> new ProducerRecord<>(topic, String.valueOf(i % 10),
                "{\"key\":\"" + i % 10 + "\",\"value\":\"message " + i + "\"}"));
        List<CustomMessage> received = new CopyOnWriteArrayList<>();
        Map<String, Object> dltConfig = new HashMap<>(cluster.adminConfig());
        dltConfig.put("acks", "all");
        try (Producer<byte[], byte[]> deadLetterProducer = new KafkaProducer<>(dltConfig, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            // tag::consumer[]
            ConsumerRunner<String, CustomMessage> runner = ConsumerRunner
                    .builder(Map.of("bootstrap.servers", bootstrapServers, "group.id", group,
                                    "auto.offset.reset", "earliest"),
                            new StringDeserializer(), new CustomMessageDeserializer())
                    .topics(topic)
                    .commitPolicy(CommitPolicy.everyRecords(10))
                    .errorPolicy(ErrorPolicy.retry(3, Duration.ofMillis(100), Duration.ofSeconds(1),
                            ErrorPolicy.deadLetter(deadLetterProducer)))
                    .batches(10, batch -> batch.forEach(record -> received.add(record.value())))
                    .closeOnShutdown()
                    .start();
            // ... later, or on Ctrl-C through the shutdown hook:
            runner.close(Duration.ofSeconds(10));
            // end::consumer[]
        }
        // the example closes at once; a second runner in the same group finishes the job from its commits
        try (ConsumerRunner<String, CustomMessage> again = ConsumerRunner
                .builder(KafkaTestUtils.consumerConfig(cluster, group), new StringDeserializer(),
                        new CustomMessageDeserializer())
                .topics(topic).commitPolicy(CommitPolicy.everyRecords(10))
                .batches(10, batch -> batch.forEach(record -> received.add(record.value()))).start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> received.stream().distinct().count() == 100);
        }
        assertThat(KafkaTestUtils.committedOffsets(cluster, group).values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(100);
        assertThat(KafkaTestUtils.committedOffsets(cluster, group)).containsKey(new TopicPartition(topic, 0));
    }

    @Test
    void aConcurrentRunnerKeepsEachUsersOrder(KafkaCluster cluster) {
        String bootstrapServers = cluster.bootstrapServers();
        String topic = KafkaTestUtils.uniqueTopic("readme-concurrent");
        String group = KafkaTestUtils.uniqueGroup("per-user");
        cluster.createTopic(topic, 3, 2);
        KafkaTestUtils.produce(cluster, topic, 100, i -> new ProducerRecord<>(topic, String.valueOf(i % 10),
                "{\"key\":\"" + i % 10 + "\",\"value\":\"" + i + "\"}"));
        List<CustomMessage> received = new CopyOnWriteArrayList<>();
        // tag::concurrent[]
        ConsumerRunner<String, CustomMessage> perUser = ConsumerRunner
                .builder(Map.of("bootstrap.servers", bootstrapServers, "group.id", group,
                                "auto.offset.reset", "earliest"),
                        new StringDeserializer(), new CustomMessageDeserializer())
                .topics(topic)
                .concurrency(16)                 // at most 16 handler calls at once
                .ordering(Ordering.KEY)          // one user's messages in order, users in parallel
                .maxInFlight(2_000, 64L << 20)   // records and bytes fetched and not yet done
                .records(record -> received.add(record.value()))
                .start();
        // end::concurrent[]
        try (perUser) {
            await().atMost(Duration.ofSeconds(30)).until(() -> received.size() == 100);
        }
        for (int user = 0; user < 10; user++) {
            String key = String.valueOf(user);
            assertThat(received.stream().filter(m -> m.key().equals(key)).map(m -> Integer.parseInt(m.value())))
                    .as("user %s", key).isSorted().hasSize(10);
        }
        assertThat(KafkaTestUtils.committedOffsets(cluster, group).values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(100);
    }
}
