package io.kafkalab.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.internals.AppInfoParser;
import org.junit.jupiter.api.Test;

/** Brokers of another Kafka version than the clients on this class path. */
class ForkedKafkaVersionsIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void aKafka391KraftClusterServesTheCurrentClientsProduceConsumeAndCommit() throws Exception {
        try (ForkedKafkaCluster cluster = ForkedKafkaCluster.builder().brokers(3).version("3.9.1")
                .logDirectory(ForkedKafkaClusterIT.logs("kafka-3.9.1")).start()) {
            assertThat(cluster.version()).isEqualTo("3.9.1");
            // the broker says which release it is: its own log, not ours
            // (at the end of its startup, a moment after it registered)
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(Files.readString(cluster.logFile(0)))
                    .contains("Kafka version: 3.9.1"));
            assertThat(AppInfoParser.getVersion()).isNotEqualTo("3.9.1");

            String topic = KafkaTestUtils.uniqueTopic("v391");
            cluster.createTopic(topic, 3, 3, Map.of("min.insync.replicas", "2"));
            KafkaTestUtils.produce(cluster, topic, 30, i -> new ProducerRecord<>(topic, "k" + i % 5, "v" + i));

            String group = KafkaTestUtils.uniqueGroup("v391");
            List<ConsumerRecord<String, String>> read = consumeAndCommit(cluster, topic, group, 30);
            assertThat(read).hasSize(30);
            Map<TopicPartition, Long> committed = KafkaTestUtils.committedOffsets(cluster, group);
            assertThat(committed).isEqualTo(KafkaTestUtils.endOffsets(cluster, topic));
            assertThat(committed.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(30);

            // and a hard fault on that version too
            // tag::forked[]
            int leader = cluster.describeTopic(topic).partitions().get(0).leader();
            cluster.killBroker(leader);   // SIGKILL: no controlled shutdown
            KafkaTestUtils.produce(cluster, topic, 10, i -> new ProducerRecord<>(topic, "k", "after-kill-" + i));
            cluster.startBroker(leader);  // a new JVM on the same log directories
            cluster.awaitFullyReplicated(topic);
            // end::forked[]
            assertThat(cluster.lastExitCode(leader)).hasValue(137);
            assertThat(cluster.describeTopic(topic).partitions()).allSatisfy(p -> assertThat(p.isr()).contains(leader));
            assertThat(KafkaTestUtils.consume(cluster, topic, 40, TIMEOUT)).hasSize(40);
        }
    }

    /** A group member reads up to {@code count} records (bounded by 30 s) and commits what it read. */
    static List<ConsumerRecord<String, String>> consumeAndCommit(KafkaCluster cluster, String topic, String group,
                                                                 int count) {
        List<ConsumerRecord<String, String>> read = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                KafkaTestUtils.consumerConfig(cluster, group))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (read.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(read::add);
            }
            consumer.commitSync(TIMEOUT);
        }
        return read;
    }
}
