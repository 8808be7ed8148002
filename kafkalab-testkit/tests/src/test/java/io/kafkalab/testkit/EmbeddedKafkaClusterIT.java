package io.kafkalab.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kafkalab.testkit.junit.KafkaTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

@KafkaTest(brokers = 3)
class EmbeddedKafkaClusterIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void producesAndConsumesHundredRecordsWithAcksAllOnThreePartitionsAndReplicationFactorTwo(KafkaCluster cluster) {
        String topic = KafkaTestUtils.uniqueTopic("lab");
        cluster.createTopic(topic, 3, 2);

        TopicInfo info = cluster.describeTopic(topic);
        assertThat(info.partitions()).hasSize(3)
                .allSatisfy(p -> {
                    assertThat(p.replicas()).hasSize(2);
                    assertThat(p.isr()).containsExactlyInAnyOrderElementsOf(p.replicas());
                    assertThat(p.replicas()).contains(p.leader());
                });
        assertThat(info.toString()).contains("PartitionCount: 3", "ReplicationFactor: 2", "Partition: 2");

        List<RecordMetadata> acks = KafkaTestUtils.produce(cluster, topic, 100,
                i -> new ProducerRecord<>(topic, String.valueOf(i % 10), "message-" + i));
        assertThat(acks).hasSize(100).allSatisfy(m -> assertThat(m.hasOffset()).isTrue());

        List<ConsumerRecord<String, String>> records = KafkaTestUtils.consume(cluster, topic, 100, TIMEOUT);
        assertThat(records).hasSize(100);
        assertThat(records.stream().map(ConsumerRecord::value).collect(Collectors.toSet())).hasSize(100);
        // one key, one partition: the lab's "which users did each consumer get"
        Map<String, Set<Integer>> partitionsByKey = records.stream().collect(Collectors.groupingBy(
                ConsumerRecord::key, Collectors.mapping(ConsumerRecord::partition, Collectors.toSet())));
        assertThat(partitionsByKey).hasSize(10).allSatisfy((key, partitions) -> assertThat(partitions).hasSize(1));
    }

    @Test
    void keepsProducingAndConsumingWithABrokerDownAndTheBrokerRejoinsTheIsr(KafkaCluster cluster) {
        String topic = KafkaTestUtils.uniqueTopic("failover");
        cluster.createTopic(topic, 3, 2);

        cluster.stopBroker(1);
        try {
            assertThat(cluster.runningBrokerIds()).containsExactly(0, 2);
            assertThat(cluster.status()).filteredOn(s -> s.id() == 1).singleElement()
                    .satisfies(s -> assertThat(s.running()).isFalse());
            KafkaTestUtils.produce(cluster, topic, 100, i -> new ProducerRecord<>(topic, "k" + i % 10, "v" + i));
            assertThat(KafkaTestUtils.consume(cluster, topic, 100, TIMEOUT)).extracting(ConsumerRecord::value)
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 100).mapToObj(i -> "v" + i).toList());
            assertThat(cluster.describeTopic(topic).partitions())
                    .allSatisfy(p -> assertThat(p.isr()).doesNotContain(1))
                    .allSatisfy(p -> assertThat(p.leader()).isNotEqualTo(1));
        } finally {
            cluster.startBroker(1);
        }

        TopicInfo healed = cluster.awaitFullyReplicated(topic);
        assertThat(healed.partitions()).allSatisfy(p -> assertThat(p.isr()).hasSize(2));
        assertThat(healed.partitions().stream().flatMap(p -> p.isr().stream())).contains(1);
        assertThat(KafkaTestUtils.consume(cluster, topic, 100, TIMEOUT)).extracting(ConsumerRecord::value)
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 100).mapToObj(i -> "v" + i).toList());
    }

    @Test
    void describeShowsTopicConfigsAndListShowsTheTopic(KafkaCluster cluster) {
        String topic = KafkaTestUtils.uniqueTopic("configs");
        cluster.createTopic(topic, 1, 3, Map.of("min.insync.replicas", "2", "retention.ms", "600000"));

        TopicInfo info = cluster.describeTopic(topic);
        assertThat(info.configs()).containsEntry("min.insync.replicas", "2").containsEntry("retention.ms", "600000");
        assertThat(info.replicationFactor()).isEqualTo(3);
        assertThat(cluster.listTopics()).contains(topic);

        cluster.deleteTopic(topic);
        org.awaitility.Awaitility.await().atMost(TIMEOUT).until(() -> !cluster.listTopics().contains(topic));
    }

    @Test
    void refusesAReplicationFactorAboveTheBrokerCount(KafkaCluster cluster) {
        assertThatThrownBy(() -> cluster.createTopic("too-many-replicas", 1, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("replicationFactor must be between 1 and the number of brokers (3), but was 4");
    }

    @Test
    void refusesToCreateATopicTwice(KafkaCluster cluster) {
        String topic = KafkaTestUtils.uniqueTopic("twice");
        cluster.createTopic(topic, 1, 1);
        assertThatThrownBy(() -> cluster.createTopic(topic, 1, 1))
                .isInstanceOf(KafkaClusterException.class)
                .hasMessageContaining("create topic " + topic + " failed");
    }

    @Test
    void reportsTheActiveControllerAndEveryNode(KafkaCluster cluster) {
        List<BrokerStatus> status = cluster.status();
        assertThat(status).extracting(BrokerStatus::id).containsExactly(0, 1, 2, 3000);
        assertThat(status).filteredOn(BrokerStatus::quorumLeader).singleElement()
                .satisfies(s -> assertThat(s.id()).isEqualTo(3000));
        assertThat(status).allSatisfy(s -> assertThat(s.running()).isTrue());
        assertThat(cluster.bootstrapServers().split(",")).hasSize(3)
                .allSatisfy(a -> assertThat(a).startsWith("127.0.0.1:"));
    }

    @Test
    void readsTheOffsetsAGroupCommitted(KafkaCluster cluster) {
        String topic = KafkaTestUtils.uniqueTopic("commits");
        String group = KafkaTestUtils.uniqueGroup("commits");
        cluster.createTopic(topic, 1, 1);
        KafkaTestUtils.produce(cluster, topic, 25, i -> new ProducerRecord<>(topic, "k", "v" + i));

        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(KafkaTestUtils.consumerConfig(cluster, group))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.commitSync(Map.of(tp, new org.apache.kafka.clients.consumer.OffsetAndMetadata(20)));
        }

        assertThat(KafkaTestUtils.committedOffsets(cluster, group))
                .containsExactly(Map.entry(new TopicPartition(topic, 0), 20L));
        assertThat(KafkaTestUtils.endOffsets(cluster, topic))
                .containsExactly(Map.entry(new TopicPartition(topic, 0), 25L));
    }
}
