package io.kafkalab.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkalab.producer.DeliveryGuarantee;
import io.kafkalab.producer.Producers;
import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 004's setup through {@code ./kafkalab cluster --zookeeper}: the packaged jar starts ZooKeeper and three
 * Kafka 3.9.1 brokers, each a JVM of its own; the lab's apps and the AT_LEAST_ONCE preset work against it, ZooKeeper
 * and a broker are killed and restarted through stdin, and {@code quit} leaves no process. One cluster for the class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ZooKeeperClusterCommandIT {

    private static final long TIMEOUT_SECONDS = 150;

    private Path logDir;
    private ClusterProcess app;
    private String zookeeperConnect;
    private String servers;
    private KafkaCluster cluster;

    @BeforeAll
    void startTheZooKeeperCluster(@TempDir Path logDir) throws Exception {
        this.logDir = logDir;
        int port = KafkaTestUtils.freePortRange(4);
        app = ClusterProcess.start(logDir, TIMEOUT_SECONDS, "cluster", "--zookeeper", "--port",
                String.valueOf(port), "--zookeeper-port", String.valueOf(port + 3));
        zookeeperConnect = app.nextLine();
        assertThat(zookeeperConnect).isEqualTo("zookeeper.connect=127.0.0.1:" + (port + 3));
        servers = app.nextLine();
        assertThat(servers).isEqualTo("bootstrap.servers=127.0.0.1:" + port + ",127.0.0.1:" + (port + 1)
                + ",127.0.0.1:" + (port + 2));
        servers = servers.substring(servers.indexOf('=') + 1);
        cluster = KafkaCluster.connect(servers);
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (app != null) {
            app.close();
        }
    }

    @Test
    @Order(1)
    void statusShowsThreeKafka391BrokersAndZooKeeper() throws Exception {
        app.send("status");
        List<String> status = app.nextLines(4);
        assertThat(status.subList(0, 3)).allSatisfy(l -> assertThat(l).contains(" up ").contains("roles=broker"));
        assertThat(status.subList(0, 3)).filteredOn(l -> l.endsWith(" (active controller)")).hasSize(1);
        assertThat(status.get(3)).isEqualTo(String.format("node 4000 %-21s up   roles=zookeeper",
                zookeeperConnect.substring(zookeeperConnect.indexOf('=') + 1)));
        assertThat(app.stderr()).contains("Starting 3 Kafka 3.9.1 broker(s), each in its own JVM, on a ZooKeeper");
        // the node logs go beside the app's: the brokers say which release they are and where their ZooKeeper is
        assertThat(Files.readString(logDir.resolve("nodes").resolve("node-0.log")))
                .contains("Kafka version: 3.9.1").contains("Connecting to zookeeper on 127.0.0.1:");
    }

    @Test
    @Order(2)
    void theLabsProducerAndSingleConsumerWorkAgainstIt() {
        String topic = KafkaTestUtils.uniqueTopic("zk-apps");
        assertThat(Cli.run("topics", "create", "-b", servers, "-t", topic, "--partitions", "3",
                "--replication-factor", "3").code()).isZero();
        Cli.Result produced = Cli.run("produce", "-b", servers, "-t", topic, "--count", "30");
        assertThat(produced.code()).isZero();
        assertThat(produced.out()).contains(": 30 sent, 30 acknowledged, 0 failed; per partition {");
        String group = KafkaTestUtils.uniqueGroup("zk-single");
        Cli.Result single = Cli.run("consume-single", "-b", servers, "-t", topic, "--group", group,
                "--max-messages", "30");
        assertThat(single.code()).isZero();
        assertThat(single.out()).contains("single-consumer consumed 30 messages from partitions [0, 1, 2]");
        assertThat(KafkaTestUtils.committedOffsets(cluster, group).values().stream().mapToLong(Long::longValue)
                .sum()).isEqualTo(30);
    }

    @Test
    @Order(3)
    void zkShellIsSeed004sZkCliOnThisZooKeeper() {
        String zk = zookeeperConnect.substring(zookeeperConnect.indexOf('=') + 1);
        Cli.Result shell = Cli.withInput("ls /brokers/ids\nget /controller\nquit\n", "zk-shell", "--server", zk);
        assertThat(shell.code()).isZero();
        assertThat(shell.out()).contains("Connecting to " + zk).contains("[0, 1, 2]").contains("\"brokerid\":");
    }

    @Test
    @Order(4)
    void aZooKeeperSigkillAndRestartUnderTheClusterLosesNoAcknowledgedRecord() throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("zk-kill");
        cluster.createTopic(topic, 3, 3, Map.of("min.insync.replicas", "2"));
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        int total = 300;
        try (Producer<String, String> producer = Producers.create(DeliveryGuarantee.AT_LEAST_ONCE, config,
                new StringSerializer(), new StringSerializer())) {
            List<CompletableFuture<Void>> sends = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                if (i == 100) {
                    app.send("kill zookeeper");
                    assertThat(app.nextLine()).isEqualTo("zookeeper 4000 killed (SIGKILL)");
                }
                if (i == 200) {
                    app.send("start zookeeper");
                    assertThat(app.nextLine()).isEqualTo("zookeeper 4000 started");
                }
                String value = "v" + i;
                CompletableFuture<Void> sent = new CompletableFuture<>();
                producer.send(new ProducerRecord<>(topic, "k" + i % 7, value), (meta, e) -> {
                    if (e == null) {
                        acknowledged.add(value);
                        sent.complete(null);
                    } else {
                        sent.completeExceptionally(e);
                    }
                });
                sends.add(sent);
                if (i % 50 == 49) {
                    producer.flush();
                }
            }
            producer.flush();
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        }
        assertThat(acknowledged).hasSize(total);

        // a separate consumer, no group, reads every partition to the end offsets
        Map<TopicPartition, Long> end = KafkaTestUtils.endOffsets(cluster, topic);
        Set<String> read = new HashSet<>();
        int records = 0;
        Map<String, Object> consumerConfig = KafkaTestUtils.consumerConfig(cluster, "unused");
        consumerConfig.remove(ConsumerConfig.GROUP_ID_CONFIG);
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig)) {
            consumer.assign(end.keySet());
            consumer.seekToBeginning(end.keySet());
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())
                    && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    read.add(r.value());
                    records++;
                }
            }
        }
        assertThat(read).as("every acknowledged record, after ZooKeeper was SIGKILLed and restarted")
                .containsAll(acknowledged);
        assertThat(records).as("no duplicates (idempotence)").isEqualTo(total);
    }

    @Test
    @Order(5)
    void killAndStartABrokerThroughStdin() throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("zk-restart");
        cluster.createTopic(topic, 3, 3);
        app.send("kill 1");
        assertThat(app.nextLine()).isEqualTo("broker 1 killed (SIGKILL)");
        app.send("status");
        assertThat(app.nextLines(4)).filteredOn(l -> l.startsWith("node 1 ")).singleElement()
                .satisfies(l -> assertThat(l).contains(" down "));
        app.send("start 1");
        assertThat(app.nextLine()).isEqualTo("broker 1 started");
        // the new process serves: it is back in every ISR
        assertThat(cluster.awaitFullyReplicated(topic).partitions()).allSatisfy(p -> assertThat(p.isr()).contains(1));
        app.send("pause 7");
        assertThat(app.nextLine()).isEqualTo("error: no node with id 7; nodes are [0, 1, 2, 4000]");
    }

    @Test
    @Order(6)
    void quitEndsEveryChildProcess() throws Exception {
        List<ProcessHandle> children = app.process().toHandle().descendants().toList();
        assertThat(children.stream().filter(ProcessHandle::isAlive)).as("ZooKeeper and 3 brokers").hasSize(4);
        app.send("quit");
        assertThat(app.process().waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(app.process().exitValue()).isZero();
        assertThat(children.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                .collect(Collectors.toList())).as("child processes alive after quit").isEmpty();
        assertThat(app.stderr()).contains("Cluster stopped in");
    }
}
