package io.kafkalab.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code kafkalab lab}: the whole lab, end to end, on its own embedded cluster and on an existing one. */
@KafkaTest(brokers = 3)
class LabCommandIT {

    @Test
    void runsTheWholeLabOnItsOwnClusterAndEndsWithTheSummaryLine() {
        Cli.Result r = Cli.run("lab");

        assertThat(r.code()).as(r.out() + r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(lines.size() - 1))
                .isEqualTo("SUMMARY produced=100 acked=100 single-group=100 batch-group=100 lost=0 duplicates=0");
        assertThat(r.out()).contains("node 0 127.0.0.1:", "node 2 127.0.0.1:", "roles=controller (active controller)",
                "PartitionCount: 3",
                "ReplicationFactor: 2", "Isr: ", "100 sent, 100 acknowledged, 0 failed",
                "single-consumer-1", "single-consumer-2", "batch-consumer-1", "batch-consumer-2",
                "batch-group commits", " at offsets ");
        // both single consumers got partitions: the three partitions are shared, users follow partitions
        assertThat(lines.stream().filter(l -> l.startsWith("  single-consumer-") && l.contains(" users ")))
                .hasSize(2).allSatisfy(l -> assertThat(l).doesNotContain("messages 0"));
    }

    @Test
    void runsAgainstAnExistingClusterWithAnotherCount(KafkaCluster cluster) {
        String topic = KafkaTestUtils.uniqueTopic("lab");
        Cli.Result r = Cli.run("lab", "--bootstrap-servers", cluster.bootstrapServers(), "--topic", topic,
                "--messages", "40");

        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("== 1. Cluster at " + cluster.bootstrapServers())
                .endsWith("SUMMARY produced=40 acked=40 single-group=40 batch-group=40 lost=0 duplicates=0\n");
        assertThat(cluster.describeTopic(topic).partitions()).hasSize(3);
    }
}
