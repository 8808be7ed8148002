package io.kafkalab.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clusters of its own, for what a shared cluster cannot show: start, restart, close. */
class EmbeddedKafkaClusterLifecycleIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void closeFreesEveryPortAndEveryThreadItStarted() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "the check reads Linux's /proc");
        // in a JVM of its own: here, the shared clusters of other test classes start threads at any time. Ports:
        // every client listener (PLAINTEXT, and the three secured ones) of every broker, and the controller
        // listener of every controller (a combined node has both: the first case; the second has every listener kind
        // on brokers and a controller of its own)
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("1:COMBINED:plain", 2);
        ports.put("3:DEDICATED_CONTROLLER:secured", 13);
        try (JvmProcess check = JvmProcess.start(List.of("-Xmx512m"), CloseCheckMain.class,
                ports.keySet().toArray(String[]::new))) {
            check.awaitLine(l -> l.equals("done") || l.startsWith("failed: "), Duration.ofSeconds(180));
            assertThat(check.lines()).contains("done");
            ports.forEach((c, n) -> assertThat(check.lines()).as(c).contains(c + " consumed 10",
                    c + " listening while open " + n, c + " data directory deleted true", c + " still listening []",
                    c + " ports free " + n));
            // Kafka's JVM-wide Yammer registry starts its two tick threads with the first broker and keeps them for
            // the next: the first cluster leaves exactly those, the later ones nothing at all
            assertThat(check.lines()).contains("1:COMBINED:plain threads left [" + CloseCheckMain.JVM_WIDE_THREAD
                    + "1 (daemon), " + CloseCheckMain.JVM_WIDE_THREAD + "2 (daemon)]",
                    "3:DEDICATED_CONTROLLER:secured threads left []");
        }
    }

    @Test
    void combinedNodesOnFixedPortsKeepTheQuorumWithOneNodeDown() throws IOException {
        int first = KafkaTestUtils.freePortRange(3);
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.builder().brokers(3).port(first).start()) {
            assertThat(cluster.topology()).isEqualTo(EmbeddedKafkaCluster.Topology.COMBINED);
            assertThat(cluster.bootstrapServers())
                    .isEqualTo("127.0.0.1:" + first + ",127.0.0.1:" + (first + 1) + ",127.0.0.1:" + (first + 2));
            assertThat(cluster.status()).allSatisfy(s -> assertThat(s.roles()).containsExactlyInAnyOrder(
                    "broker", "controller"));

            int leader = cluster.activeControllerId().orElseThrow();
            String topic = KafkaTestUtils.uniqueTopic("quorum");
            cluster.createTopic(topic, 3, 2);
            cluster.stopBroker(leader);
            // the two remaining voters elect a new leader; metadata changes still work
            String second = KafkaTestUtils.uniqueTopic("after-stop");
            cluster.createTopic(second, 3, 2);
            assertThat(cluster.activeControllerId()).isPresent().isNotEqualTo(java.util.OptionalInt.of(leader));
            KafkaTestUtils.produce(cluster, second, 30, i -> new ProducerRecord<>(second, "k" + i, "v" + i));
            assertThat(KafkaTestUtils.consume(cluster, second, 30, TIMEOUT)).extracting(ConsumerRecord::value)
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 30).mapToObj(i -> "v" + i).toList());
            cluster.startBroker(leader);
            assertThat(cluster.awaitFullyReplicated(topic).fullyReplicated()).isTrue();
        }
    }

    @Test
    void keepsDataInAGivenDirectoryAcrossRestarts(@TempDir Path dir) {
        String topic = KafkaTestUtils.uniqueTopic("kept");
        String clusterId;
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.builder().brokers(1)
                .topology(EmbeddedKafkaCluster.Topology.DEDICATED_CONTROLLER).dataDirectory(dir).start()) {
            clusterId = cluster.clusterId();
            cluster.createTopic(topic, 1, 1);
            KafkaTestUtils.produce(cluster, topic, 5, i -> new ProducerRecord<>(topic, "k", "v" + i));
        }
        assertThat(Files.exists(dir.resolve("node-0").resolve("meta.properties"))).isTrue();

        try (EmbeddedKafkaCluster again = EmbeddedKafkaCluster.builder().brokers(1)
                .topology(EmbeddedKafkaCluster.Topology.DEDICATED_CONTROLLER).dataDirectory(dir).start()) {
            assertThat(again.clusterId()).isEqualTo(clusterId);
            assertThat(KafkaTestUtils.consume(again, topic, 5, TIMEOUT)).extracting(ConsumerRecord::value)
                    .containsExactly("v0", "v1", "v2", "v3", "v4");
        }
        assertThat(dir).exists();
    }

    @Test
    void refusesUnknownBrokersAndDoubleStops() {
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.builder().brokers(1)
                .topology(EmbeddedKafkaCluster.Topology.DEDICATED_CONTROLLER).start()) {
            assertThatThrownBy(() -> cluster.stopBroker(7)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("no broker with id 7; brokers are [0]");
            assertThatThrownBy(() -> cluster.stopBroker(EmbeddedKafkaCluster.DEDICATED_CONTROLLER_ID))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> cluster.startBroker(0)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("broker 0 is already running");
        }
    }

    @Test
    void createsTheGroupsInternalTopicsBeforeStartReturns() throws Exception {
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.builder().brokers(1).createInternalTopics().start()) {
            // no group has run: Kafka would create neither topic before a group's first coordinator lookup
            List<String> internal = List.of("__consumer_offsets", "__share_group_state");
            Map<String, org.apache.kafka.clients.admin.TopicDescription> topics = cluster.admin()
                    .describeTopics(internal).allTopicNames().get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(topics).containsOnlyKeys(internal);
            assertThat(topics.values()).allSatisfy(t -> {
                assertThat(t.isInternal()).as(t.name()).isTrue();
                assertThat(t.partitions()).as(t.name()).hasSize(5)
                        .allSatisfy(p -> assertThat(p.leader()).as(t.name() + "-" + p.partition()).isNotNull());
            });
        }
    }

    @Test
    void builderNamesTheFieldAndTheBadValue() {
        assertThatThrownBy(() -> EmbeddedKafkaCluster.builder().brokers(0))
                .hasMessage("brokers must be between 1 and 32, but was 0");
        assertThatThrownBy(() -> EmbeddedKafkaCluster.builder().port(80))
                .hasMessage("port must be 0 or between 1024 and 65535, but was 80");
        assertThatThrownBy(() -> EmbeddedKafkaCluster.builder().shutdownTimeout(Duration.ZERO))
                .hasMessage("shutdownTimeout must be > 0, but was PT0S");
    }
}
