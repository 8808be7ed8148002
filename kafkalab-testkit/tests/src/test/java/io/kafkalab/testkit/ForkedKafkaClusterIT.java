package io.kafkalab.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kafkalab.testkit.ForkedKafkaCluster.NodeState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hard faults on brokers in child JVMs of their own: SIGKILL, SIGSTOP/SIGCONT and SIGTERM, on one shared cluster of
 * 3 brokers and a dedicated controller at the project's Kafka version.
 */
class ForkedKafkaClusterIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Map<String, String> MIN_ISR_2 = Map.of("min.insync.replicas", "2");

    private static ForkedKafkaCluster cluster;

    @BeforeAll
    static void start() {
        cluster = ForkedKafkaCluster.builder().brokers(3).logDirectory(logs("faults")).start();
    }

    @AfterAll
    static void close() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Every broker runs again after each test, as a shared cluster should. */
    @AfterEach
    void restoreBrokers() {
        for (int id : cluster.brokerIds()) {
            if (cluster.state(id) == NodeState.PAUSED) {
                cluster.resumeBroker(id);
            } else if (cluster.state(id) == NodeState.STOPPED) {
                cluster.startBroker(id);
            }
        }
    }

    static Path logs(String name) {
        return Path.of(System.getProperty("kafkalab.forked.logs", "target/forked-logs"), name);
    }

    /** acks=all and idempotence; a broker that answers nothing costs a request 5 s, not 30. */
    private static Map<String, Object> producerConfig() {
        Map<String, Object> config = KafkaTestUtils.producerConfig(cluster);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
        config.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, 1_000);
        return config;
    }

    @Test
    void killingThePartitionLeaderWithSigkillLosesNoAcknowledgedRecord() throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("kill");
        cluster.createTopic(topic, 1, 3, MIN_ISR_2);
        int leader = cluster.describeTopic(topic).partitions().get(0).leader();
        long leaderPid = cluster.pid(leader).orElseThrow();

        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        Map<String, Object> config = producerConfig();
        CompletableFuture<Integer> producing = CompletableFuture.supplyAsync(() -> {
            int failed = 0;
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
                for (int i = 0; !stop.get(); i++) {
                    String value = "v" + i;
                    try {
                        producer.send(new ProducerRecord<>(topic, "k" + i % 10, value)).get(60, TimeUnit.SECONDS);
                        acked.add(value);
                    } catch (Exception e) {
                        failed++;
                    }
                }
            }
            return failed;
        });
        await().atMost(TIMEOUT).until(() -> acked.size() >= 200);
        cluster.killBroker(leader);
        int ackedAtKill = acked.size();
        // the producer goes on through the failover: the controller fences the dead leader after the broker
        // session timeout and elects another in-sync replica
        await().atMost(TIMEOUT).until(() -> acked.size() >= ackedAtKill + 200);
        stop.set(true);
        int failed = producing.get(90, TimeUnit.SECONDS);

        assertThat(cluster.lastExitCode(leader)).as("SIGKILL: 128 + 9").hasValue(137);
        assertThat(cluster.state(leader)).isEqualTo(NodeState.STOPPED);
        assertThat(ProcessHandle.of(leaderPid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
        assertThat(cluster.describeTopic(topic).partitions().get(0).leader()).isNotEqualTo(leader).isNotNegative();
        long end = KafkaTestUtils.endOffsets(cluster, topic).values().iterator().next();
        List<ConsumerRecord<String, String>> read = KafkaTestUtils.consume(cluster, topic, (int) end, TIMEOUT);
        Set<String> values = read.stream().map(ConsumerRecord::value).collect(Collectors.toSet());
        assertThat(values).as("every acknowledged record (failed sends: %d)", failed).containsAll(acked);
        assertThat(read).as("idempotence: no duplicates").hasSize(values.size());

        cluster.startBroker(leader);
        assertThat(cluster.awaitFullyReplicated(topic).partitions().get(0).isr()).contains(leader);
    }

    @Test
    void aPausedBrokerLeavesTheIsrAfterTheSessionTimeoutAndReturnsWhenResumed() throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("pause");
        cluster.createTopic(topic, 3, 3, MIN_ISR_2);
        int paused = 1;
        cluster.pauseBroker(paused);
        assertThat(cluster.state(paused)).isEqualTo(NodeState.PAUSED);
        assertThat(cluster.pid(paused)).as("the process lives on, stopped").isPresent();
        assertThat(cluster.runningBrokerIds()).containsExactly(0, 2);

        // broker.session.timeout.ms=2000: the controller fences it, its replicas leave every ISR, leaders move
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(cluster.describeTopic(topic).partitions())
                .allSatisfy(p -> {
                    assertThat(p.isr()).doesNotContain(paused).hasSize(2);
                    assertThat(p.leader()).isNotEqualTo(paused);
                }));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig())) {
            for (int i = 0; i < 30; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "while-paused-" + i)).get(60, TimeUnit.SECONDS);
            }
        }

        cluster.resumeBroker(paused);
        assertThat(cluster.state(paused)).isEqualTo(NodeState.RUNNING);
        assertThat(cluster.awaitFullyReplicated(topic).partitions()).allSatisfy(p -> assertThat(p.isr())
                .contains(paused));
        assertThat(KafkaTestUtils.consume(cluster, topic, 30, TIMEOUT)).hasSize(30);
    }

    @Test
    void stopBrokerIsAControlledShutdownAndStartBrokerRejoinsFromTheSameLogs() throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("stop");
        cluster.createTopic(topic, 3, 3, MIN_ISR_2);
        KafkaTestUtils.produce(cluster, topic, 20, i -> new ProducerRecord<>(topic, "k" + i, "v" + i));

        cluster.stopBroker(2);
        assertThat(cluster.lastExitCode(2)).as("SIGTERM: 128 + 15").hasValue(143);
        assertThat(Files.readString(cluster.logFile(2))).contains("shut down completed");
        assertThat(cluster.status()).filteredOn(s -> s.id() == 2).singleElement()
                .satisfies(s -> assertThat(s.running()).isFalse());

        cluster.startBroker(2);
        assertThat(cluster.runningBrokerIds()).containsExactly(0, 1, 2);
        assertThat(cluster.awaitFullyReplicated(topic).partitions()).allSatisfy(p -> assertThat(p.isr()).contains(2));
        assertThat(KafkaTestUtils.consume(cluster, topic, 20, TIMEOUT)).hasSize(20);
    }

    @Test
    void refusesFaultsThatDoNotApply() {
        assertThatThrownBy(() -> cluster.killBroker(7)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no broker with id 7; brokers are [0, 1, 2]");
        assertThatThrownBy(() -> cluster.pauseBroker(ForkedKafkaCluster.FIRST_CONTROLLER_ID))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> cluster.resumeBroker(0)).isInstanceOf(IllegalStateException.class)
                .hasMessage("cannot resume node 0: it is RUNNING");
        assertThatThrownBy(() -> cluster.startBroker(0)).isInstanceOf(IllegalStateException.class)
                .hasMessage("node 0 is already running (RUNNING)");
        assertThat(cluster.status()).extracting(BrokerStatus::id)
                .containsExactly(0, 1, 2, ForkedKafkaCluster.FIRST_CONTROLLER_ID);
        assertThat(cluster.status()).filteredOn(BrokerStatus::quorumLeader).extracting(BrokerStatus::id)
                .containsExactly(ForkedKafkaCluster.FIRST_CONTROLLER_ID);
    }
}
