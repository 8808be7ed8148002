package io.kafkalab.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** Forked clusters of their own: what close() leaves behind, and what a killed parent JVM leaves behind. */
class ForkedKafkaClusterLifecycleIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void closeLeavesNoProcessNoListeningPortAndNoData() {
        ForkedKafkaCluster cluster = ForkedKafkaCluster.builder().brokers(2)
                .logDirectory(ForkedKafkaClusterIT.logs("close")).start();
        String topic = KafkaTestUtils.uniqueTopic("close");
        cluster.createTopic(topic, 2, 2);
        KafkaTestUtils.produce(cluster, topic, 10, i -> new ProducerRecord<>(topic, "k" + i, "v" + i));
        assertThat(KafkaTestUtils.consume(cluster, topic, 10, TIMEOUT)).hasSize(10);
        List<ProcessHandle> processes = cluster.nodeIds().stream()
                .map(id -> ProcessHandle.of(cluster.pid(id).orElseThrow()).orElseThrow()).toList();
        List<Integer> ports = cluster.status().stream()
                .map(s -> Integer.parseInt(s.listener().substring(s.listener().lastIndexOf(':') + 1))).toList();
        assertThat(ports).hasSize(3).allSatisfy(p -> assertThat(canBind(p)).as("port %d in use while open", p)
                .isFalse());

        cluster.close();

        assertThat(processes).noneMatch(ProcessHandle::isAlive);
        assertThat(ports).allSatisfy(p -> assertThat(canBind(p)).as("port %d free", p).isTrue());
        assertThat(cluster.dataDirectory()).doesNotExist();
        assertThat(cluster.nodeIds()).allSatisfy(id -> assertThat(cluster.state(id))
                .isEqualTo(ForkedKafkaCluster.NodeState.STOPPED));
        assertThatThrownBy(() -> cluster.startBroker(0)).isInstanceOf(IllegalStateException.class)
                .hasMessage("the cluster is closed");
        cluster.close();
    }

    @Test
    void noNodeOutlivesTheParentJvmWhenItIsKilled() {
        List<ProcessHandle> nodes = new ArrayList<>();
        try (JvmProcess parent = JvmProcess.start(List.of("-Xmx256m", "-D" + distributionsProperty(),
                "-Dlog4j2.configurationFile=log4j2-child.xml"),
                ForkedClusterParentMain.class, ForkedKafkaClusterIT.logs("orphans").toString())) {
            parent.awaitLine("ready"::equals, Duration.ofSeconds(120));
            Map<String, Long> pids = parent.lines().stream().filter(l -> l.startsWith("pid "))
                    .collect(Collectors.toMap(l -> l.split(" ")[1], l -> Long.parseLong(l.split(" ")[2])));
            assertThat(pids).containsOnlyKeys("0", String.valueOf(ForkedKafkaCluster.FIRST_CONTROLLER_ID));
            pids.values().forEach(pid -> nodes.add(ProcessHandle.of(pid).orElseThrow()));
            assertThat(nodes).allMatch(ProcessHandle::isAlive);

            parent.kill();

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(nodes)
                    .noneMatch(ProcessHandle::isAlive));
        } finally {
            // a broken promise must not leave brokers behind for the rest of the run
            nodes.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void aDistributionThatIsNotThereFailsNamingWhereItLooked() {
        assertThatThrownBy(() -> ForkedKafkaCluster.builder().version("2.0.0").start())
                .isInstanceOf(KafkaClusterException.class)
                .hasMessageStartingWith("no broker jars of Kafka 2.0.0: none of the directories in the system "
                        + "property kafkalab.kafka.distributions [")
                .hasMessageContaining("kafka-3.9.1");
    }

    @Test
    void builderNamesTheFieldAndTheBadValue() {
        assertThatThrownBy(() -> ForkedKafkaCluster.builder().brokers(0))
                .hasMessage("brokers must be between 1 and 32, but was 0");
        assertThatThrownBy(() -> ForkedKafkaCluster.builder().controllers(2))
                .hasMessage("controllers must be 1, 3 or 5, but was 2");
        assertThatThrownBy(() -> ForkedKafkaCluster.builder().version("latest"))
                .hasMessage("version must look like 3.9.1, but was latest");
        assertThatThrownBy(() -> ForkedKafkaCluster.builder().classPath(Path.of("no/such/dir")))
                .hasMessage("classPath must be a directory of jars, but was no/such/dir");
    }

    static String distributionsProperty() {
        return "kafkalab.kafka.distributions=" + System.getProperty("kafkalab.kafka.distributions", "");
    }

    private static boolean canBind(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
