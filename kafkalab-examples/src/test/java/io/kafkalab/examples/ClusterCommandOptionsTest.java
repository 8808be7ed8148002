package io.kafkalab.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Options of {@code kafkalab cluster} that conflict: one line on stderr and exit code 1, before any node starts. */
class ClusterCommandOptionsTest {

    @Test
    void namesTheBadIsolation() {
        Cli.Result result = Cli.run("cluster", "--isolation", "container");
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err().strip()).isEqualTo("kafkalab cluster: --isolation must be jvm or process, but was"
                + " 'container'");
    }

    @Test
    void refusesZooKeeperWithAKafka4Version() {
        Cli.Result result = Cli.run("cluster", "--zookeeper", "--kafka-version", "4.3.1");
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err().strip()).isEqualTo("kafkalab cluster: --zookeeper needs a --kafka-version before 4.0"
                + " (Kafka 4 removed ZooKeeper mode), but it was 4.3.1");
    }

    @Test
    void refusesCombinedNodesInProcesses() {
        Cli.Result result = Cli.run("cluster", "--combined", "--isolation", "process");
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err().strip()).startsWith("kafkalab cluster: --combined runs in this JVM only;");
    }
}
