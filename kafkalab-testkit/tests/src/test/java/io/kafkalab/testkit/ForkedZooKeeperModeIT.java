package io.kafkalab.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkalab.testkit.ForkedKafkaCluster.NodeState;
import io.kafkalab.testkit.junit.KafkaTest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.internals.AppInfoParser;
import org.junit.jupiter.api.Test;

/**
 * Seed 004's world: Kafka 3.9.1 brokers on a ZooKeeper 3.9.5 server, each in a JVM of its own, asked for through
 * {@code @KafkaTest} (one cluster for the class), serving this build's 4.x clients; the ZooKeeper node's faults.
 */
// tag::zookeeper[]
@KafkaTest(version = "3.9.1", zookeeper = true, shared = false)
class ForkedZooKeeperModeIT {
// end::zookeeper[]

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void theAnnotationStartsKafka391BrokersOnAZooKeeper395Server(KafkaCluster injected) throws Exception {
        assertThat(injected).isInstanceOf(ForkedKafkaCluster.class);
        ForkedKafkaCluster cluster = (ForkedKafkaCluster) injected;
        assertThat(cluster.version()).isEqualTo("3.9.1");
        assertThat(cluster.nodeIds()).containsExactly(0, 1, 2, ForkedKafkaCluster.ZOOKEEPER_ID);
        String zk = cluster.zooKeeperConnect().orElseThrow();
        assertThat(zk).matches("127\\.0\\.0\\.1:\\d+");
        assertThat(srvr(zk)).contains("Zookeeper version: 3.9.5").contains("Mode: standalone");

        // each process says what it is in its own log: ZooKeeper's release, the brokers' release and their
        // ZooKeeper (no KRaft format ran: a ZooKeeper-mode broker writes its meta.properties itself, with broker.id)
        assertThat(Files.readString(cluster.logFile(ForkedKafkaCluster.ZOOKEEPER_ID)))
                .contains("org.apache.zookeeper.server.quorum.QuorumPeerMain").doesNotContain("StorageTool");
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(Files.readString(cluster.logFile(0)))
                .contains("Kafka version: 3.9.1").contains("Connecting to zookeeper on " + zk)
                .doesNotContain("StorageTool"));
        assertThat(Files.readString(cluster.dataDirectory().resolve("node-1").resolve("meta.properties")))
                .contains("broker.id=1").doesNotContain("node.id");
        assertThat(AppInfoParser.getVersion()).isNotEqualTo("3.9.1");
        assertThat(cluster.clusterId()).isEqualTo(cluster.admin().describeCluster().clusterId()
                .get(30, java.util.concurrent.TimeUnit.SECONDS));

        List<BrokerStatus> status = cluster.status();
        assertThat(status).filteredOn(s -> s.id() == ForkedKafkaCluster.ZOOKEEPER_ID).singleElement()
                .satisfies(s -> assertThat(s.toString()).isEqualTo(String.format("node %d %-21s up   roles=zookeeper",
                        ForkedKafkaCluster.ZOOKEEPER_ID, zk)));
        // the controller is a broker that ZooKeeper elected
        assertThat(status).filteredOn(BrokerStatus::quorumLeader).singleElement()
                .satisfies(s -> assertThat(s.isBroker()).isTrue());
        assertThat(cluster.toString()).endsWith(", zookeeper.connect=" + zk + "]");
    }

    @Test
    void servesTheCurrentClientsProduceAGroupsConsumeAndCommit(KafkaCluster cluster) {
        String topic = KafkaTestUtils.uniqueTopic("zk");
        cluster.createTopic(topic, 3, 3, Map.of("min.insync.replicas", "2"));
        KafkaTestUtils.produce(cluster, topic, 30, i -> new ProducerRecord<>(topic, "k" + i % 5, "v" + i));

        String group = KafkaTestUtils.uniqueGroup("zk");
        List<ConsumerRecord<String, String>> read = ForkedKafkaVersionsIT.consumeAndCommit(cluster, topic, group, 30);
        assertThat(read.stream().map(ConsumerRecord::value).collect(Collectors.toSet()))
                .hasSize(30).contains("v0", "v29");
        Map<TopicPartition, Long> committed = KafkaTestUtils.committedOffsets(cluster, group);
        assertThat(committed).isEqualTo(KafkaTestUtils.endOffsets(cluster, topic));
        assertThat(committed.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(30);
    }

    @Test
    void theZooKeeperNodeCanBeKilledPausedStoppedAndStartedUnderTheBrokers(ForkedKafkaCluster cluster)
            throws Exception {
        int zkId = ForkedKafkaCluster.ZOOKEEPER_ID;
        String zk = cluster.zooKeeperConnect().orElseThrow();
        String topic = KafkaTestUtils.uniqueTopic("zk-faults");
        cluster.createTopic(topic, 3, 3, Map.of("min.insync.replicas", "2"));
        // in ZooKeeper mode createTopic returns once ZooKeeper has the topic; its leaders and followers hear of it from
        // the controller afterwards, which needs ZooKeeper: killed before that (a loaded CI machine did), the
        // followers never fetch and no write reaches min.insync.replicas
        cluster.awaitFullyReplicated(topic);

        cluster.killNode(zkId);
        assertThat(cluster.state(zkId)).isEqualTo(NodeState.STOPPED);
        assertThat(cluster.lastExitCode(zkId)).hasValue(137);
        assertThat(srvr(zk)).isEmpty();
        // the brokers serve reads and writes without ZooKeeper: only metadata changes need it, and so does a new
        // producer id (its block comes from the controller through ZooKeeper), so this producer is not idempotent
        Map<String, Object> plain = KafkaTestUtils.producerConfig(cluster);
        plain.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        KafkaTestUtils.produce(plain, topic, 10, i -> new ProducerRecord<>(topic, "k" + i, "zk-down-" + i));
        cluster.startNode(zkId);
        assertThat(cluster.state(zkId)).isEqualTo(NodeState.RUNNING);
        assertThat(srvr(zk)).contains("Mode: standalone");

        cluster.pauseNode(zkId);
        assertThat(cluster.state(zkId)).isEqualTo(NodeState.PAUSED);
        cluster.resumeNode(zkId);
        assertThat(cluster.state(zkId)).isEqualTo(NodeState.RUNNING);

        cluster.stopNode(zkId);
        assertThat(cluster.lastExitCode(zkId)).hasValue(143);
        cluster.startNode(zkId);

        // a metadata change goes through ZooKeeper again, and what was written while it was down is all there
        String after = KafkaTestUtils.uniqueTopic("zk-after");
        cluster.createTopic(after, 1, 3);
        // in ZooKeeper mode the controller tells each broker of a new topic on its own: one may not know it yet
        await().atMost(TIMEOUT).ignoreExceptionsInstanceOf(KafkaClusterException.class)
                .untilAsserted(() -> assertThat(cluster.describeTopic(after).partitions())
                .singleElement().satisfies(p -> assertThat(p.replicas()).hasSize(3)));
        assertThat(KafkaTestUtils.consume(cluster, topic, 10, TIMEOUT).stream().map(ConsumerRecord::value)
                .collect(Collectors.toSet())).hasSize(10);
        assertThat(cluster.runningBrokerIds()).containsExactlyInAnyOrder(0, 1, 2);
        assertThat(Set.copyOf(cluster.nodeIds())).contains(zkId);
    }

    @Test
    void aKilledBrokerStartsAgainOnceZooKeeperDroppedItsOldRegistration(ForkedKafkaCluster cluster)
            throws IOException {
        String topic = KafkaTestUtils.uniqueTopic("zk-broker");
        cluster.createTopic(topic, 3, 3, Map.of("min.insync.replicas", "2"));
        cluster.awaitFullyReplicated(topic); // as above: every replica following before broker 2 dies
        long before = cluster.pid(2).orElseThrow();
        long registrations = registrations(cluster, 2);
        cluster.killBroker(2);
        // the old process's ephemeral /brokers/ids/2 lives until its session expires: until then the cluster still
        // lists broker 2, so "registered" means registered by the new process
        cluster.startBroker(2);
        assertThat(registrations(cluster, 2)).as("registrations of broker 2 when startBroker returned")
                .isEqualTo(registrations + 1);
        assertThat(cluster.pid(2)).isPresent().isNotEqualTo(java.util.OptionalLong.of(before));
        assertThat(cluster.awaitFullyReplicated(topic).partitions()).allSatisfy(p -> assertThat(p.isr()).contains(2));
        assertThat(cluster.state(2)).isEqualTo(NodeState.RUNNING);
    }

    /** How often broker {@code id}'s processes said they registered in ZooKeeper (its log gathers them all). */
    private static long registrations(ForkedKafkaCluster cluster, int id) throws IOException {
        return Files.readAllLines(cluster.logFile(id)).stream()
                .filter(l -> l.contains("Registered broker " + id + " at path /brokers/ids/" + id)).count();
    }

    /** ZooKeeper's four-letter {@code srvr}; empty when nothing answers. */
    private static String srvr(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(hostPort.substring(0, colon),
                    Integer.parseInt(hostPort.substring(colon + 1))), 2_000);
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return "";
        }
    }
}
