package io.kafkalab.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkalab.testkit.junit.KafkaTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * The container backend on a real Docker engine (docker/verify-on-engine.sh runs it with
 * -Dkafkalab.require.docker=true). Without an engine the class is skipped with the reason.
 */
@KafkaTest(brokers = 3, backend = KafkaTest.Backend.CONTAINER, shared = false)
class ContainerKafkaClusterIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void threeBrokersServeATopicWithReplicationFactorTwo(KafkaCluster cluster) {
        assertThat(cluster).isInstanceOf(ContainerKafkaCluster.class);
        assertThat(cluster.brokerIds()).containsExactly(1, 2, 3);
        assertThat(cluster.status()).allSatisfy(s -> assertThat(s.running()).isTrue())
                .filteredOn(BrokerStatus::quorumLeader).hasSize(1);
        String topic = KafkaTestUtils.uniqueTopic("containers");
        cluster.createTopic(topic, 3, 2);
        assertThat(cluster.describeTopic(topic).fullyReplicated()).isTrue();
        KafkaTestUtils.produce(cluster, topic, 100, i -> new ProducerRecord<>(topic, "k" + i % 10, "v" + i));
        assertThat(KafkaTestUtils.consume(cluster, topic, 100, WAIT)).hasSize(100);
    }

    @Test
    void aBrokerStoppedAndStartedAgainRejoinsAndNothingIsLost(ContainerKafkaCluster cluster) {
        String topic = KafkaTestUtils.uniqueTopic("restart");
        cluster.createTopic(topic, 3, 2);
        KafkaTestUtils.produce(cluster, topic, 100, i -> new ProducerRecord<>(topic, "k" + i % 10, "before-" + i));
        cluster.stopBroker(2);
        try {
            assertThat(cluster.runningBrokerIds()).containsExactly(1, 3);
            KafkaTestUtils.produce(cluster, topic, 100, i -> new ProducerRecord<>(topic, "k" + i % 10, "during-" + i));
        } finally {
            cluster.startBroker(2);
        }
        assertThat(cluster.awaitFullyReplicated(topic).fullyReplicated()).isTrue();
        assertThat(distinctValues(KafkaTestUtils.consume(cluster, topic, 200, WAIT))).hasSize(200);
    }

    @Test
    void aPartitionedBrokerIsCutOffThenHealedAndNothingAcknowledgedIsLost(ContainerKafkaCluster cluster) {
        String topic = KafkaTestUtils.uniqueTopic("partition");
        cluster.createTopic(topic, 3, 3, Map.of("min.insync.replicas", "2"));
        KafkaTestUtils.produce(cluster, topic, 100, i -> new ProducerRecord<>(topic, "k" + i % 10, "before-" + i));

        cluster.disconnectBroker(3);
        try {
            // leaders on broker 3 move once the controller fences it; acks=all with 2 in-sync replicas still works
            KafkaTestUtils.produce(cluster, topic, 100, i -> new ProducerRecord<>(topic, "k" + i % 10, "cut-off-" + i));
            TopicInfo during = cluster.describeTopic(topic);
            assertThat(during.partitions()).allSatisfy(p -> {
                assertThat(p.leader()).isNotEqualTo(3);
                assertThat(p.isr()).doesNotContain(3);
            });
        } finally {
            cluster.reconnectBroker(3);
        }
        TopicInfo healed = cluster.awaitFullyReplicated(topic);
        assertThat(healed.partitions()).allSatisfy(p -> assertThat(p.isr()).containsExactlyInAnyOrder(1, 2, 3));
        assertThat(distinctValues(KafkaTestUtils.consume(cluster, topic, 200, WAIT))).hasSize(200);
    }

    private static List<String> distinctValues(List<ConsumerRecord<String, String>> records) {
        return records.stream().map(ConsumerRecord::value).distinct().collect(Collectors.toList());
    }
}
