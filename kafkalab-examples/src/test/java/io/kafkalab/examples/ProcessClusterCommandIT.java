package io.kafkalab.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./kafkalab cluster --isolation process --kafka-version 3.9.1} from the packaged jar, KRaft: a broker and a
 * controller, each a JVM of its own running 3.9.1's jars; the stdin commands signal them, and {@code quit} leaves no
 * process. One test, one small cluster: the ZooKeeper variant is {@link ZooKeeperClusterCommandIT}.
 */
class ProcessClusterCommandIT {

    private static final long TIMEOUT_SECONDS = 150;

    @Test
    void eachNodeIsAProcessOfTheVersionAskedForThatStdinCanKillPauseAndRestart(@TempDir Path logDir)
            throws Exception {
        int port = KafkaTestUtils.freePortRange(1);
        try (ClusterProcess app = ClusterProcess.start(logDir, TIMEOUT_SECONDS, "cluster", "--isolation", "process",
                "--kafka-version", "3.9.1", "--brokers", "1", "--port", String.valueOf(port))) {
            assertThat(app.nextLine()).isEqualTo("bootstrap.servers=127.0.0.1:" + port);
            String servers = "127.0.0.1:" + port;
            assertThat(app.stderr()).contains("Starting 1 Kafka 3.9.1 broker(s), each in its own JVM, and one"
                    + " controller");
            app.send("status");
            List<String> status = app.nextLines(2);
            assertThat(status.get(0)).startsWith("node 0 ").contains(" up ").contains("roles=broker");
            assertThat(status.get(1)).startsWith("node 3000 ").contains(" up ")
                    .endsWith("roles=controller (active controller)");
            assertThat(Files.readString(logDir.resolve("nodes").resolve("node-0.log")))
                    .contains("Kafka version: 3.9.1");
            List<ProcessHandle> children = app.process().toHandle().descendants().toList();
            assertThat(children.stream().filter(ProcessHandle::isAlive)).as("a broker and a controller").hasSize(2);

            String topic = KafkaTestUtils.uniqueTopic("process-cli");
            assertThat(Cli.run("topics", "create", "-b", servers, "-t", topic, "--partitions", "1",
                    "--replication-factor", "1").code()).isZero();
            assertThat(Cli.run("produce", "-b", servers, "-t", topic, "--count", "10").out())
                    .contains(": 10 sent, 10 acknowledged, 0 failed");

            app.send("pause 0");
            assertThat(app.nextLine()).isEqualTo("broker 0 paused (SIGSTOP)");
            assertThat(children.stream().map(ProcessClusterCommandIT::state)).as("one of the two stopped")
                    .containsExactlyInAnyOrder('T', 'S');
            app.send("resume 0");
            assertThat(app.nextLine()).isEqualTo("broker 0 resumed (SIGCONT)");
            assertThat(children.stream().map(ProcessClusterCommandIT::state)).doesNotContain('T');
            app.send("kill 0");
            assertThat(app.nextLine()).isEqualTo("broker 0 killed (SIGKILL)");
            app.send("start 0");
            assertThat(app.nextLine()).isEqualTo("broker 0 started");
            // the new process recovered the log it was killed with and takes more
            assertThat(Cli.run("produce", "-b", servers, "-t", topic, "--count", "10").out())
                    .contains(": 10 sent, 10 acknowledged, 0 failed");
            try (KafkaCluster cluster = KafkaCluster.connect(servers)) {
                assertThat(KafkaTestUtils.endOffsets(cluster, topic).values()).containsExactly(20L);
            }
            app.send("pause 7");
            assertThat(app.nextLine()).isEqualTo("error: no node with id 7; nodes are [0, 3000]");

            app.send("quit");
            assertThat(app.process().waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(app.process().exitValue()).isZero();
            assertThat(app.process().toHandle().descendants().filter(ProcessHandle::isAlive).toList())
                    .as("child processes alive after quit").isEmpty();
            assertThat(children.stream().filter(ProcessHandle::isAlive).toList()).isEmpty();
        }
    }

    /** A process's state from {@code /proc/<pid>/stat}: {@code T} stopped by a signal, {@code S} sleeping, ... */
    private static char state(ProcessHandle p) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(p.pid()), "stat"));
            char c = stat.charAt(stat.lastIndexOf(')') + 2);
            return c == 'R' || c == 'D' ? 'S' : c; // running or in I/O: awake all the same
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
