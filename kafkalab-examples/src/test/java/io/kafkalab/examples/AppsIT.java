package io.kafkalab.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lab's apps, the topics command and the console tools, against a real cluster. */
@KafkaTest(brokers = 3)
class AppsIT {

    @Test
    void theLabsProducerAndBothConsumersStopAfterMaxMessagesWithATotal(KafkaCluster cluster) {
        String topic = KafkaTestUtils.uniqueTopic("apps");
        String servers = cluster.bootstrapServers();
        assertThat(Cli.run("topics", "create", "-b", servers, "-t", topic, "--partitions", "3",
                "--replication-factor", "2").code()).isZero();

        Cli.Result produced = Cli.run("produce", "-b", servers, "-t", topic, "--count", "100");
        assertThat(produced.code()).isZero();
        assertThat(produced.out()).contains("sent key=3 partition=")
                .contains(": 100 sent, 100 acknowledged, 0 failed; per partition {");

        String singleGroup = KafkaTestUtils.uniqueGroup("single");
        Cli.Result single = Cli.run("consume-single", "-b", servers, "-t", topic, "--group", singleGroup,
                "--max-messages", "100");
        assertThat(single.code()).isZero();
        assertThat(single.out()).contains("single-consumer partition=", "single-consumer assigned")
                .contains("single-consumer consumed 100 messages from partitions [0, 1, 2], users [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]");

        String batchGroup = KafkaTestUtils.uniqueGroup("batch");
        Cli.Result batch = Cli.run("consume-batch", "-b", servers, "-t", topic, "--group", batchGroup,
                "--max-messages", "100");
        assertThat(batch.code()).isZero();
        assertThat(batch.out()).contains("batch-consumer batch of ", "batch-consumer committed ")
                .contains("batch-consumer consumed 100 messages from partitions [0, 1, 2]");
        assertThat(KafkaTestUtils.committedOffsets(cluster, batchGroup).values().stream().mapToLong(Long::longValue)
                .sum()).isEqualTo(100);

        // nothing left for the group: the idle timeout ends it, with a total of 0
        Cli.Result idle = Cli.run("consume-batch", "-b", servers, "-t", topic, "--group", batchGroup,
                "--idle-timeout", "3s");
        assertThat(idle.code()).isZero();
        assertThat(idle.out()).contains("batch-consumer consumed 0 messages");
    }

    @Test
    void topicsCreateDescribeListDelete(KafkaCluster cluster) {
        String topic = KafkaTestUtils.uniqueTopic("topics");
        String servers = cluster.bootstrapServers();
        Cli.Result created = Cli.run("topics", "create", "-b", servers, "-t", topic, "--partitions", "2",
                "--replication-factor", "3", "--config", "retention.ms=600000");
        assertThat(created.out()).contains("Created topic " + topic, "PartitionCount: 2", "ReplicationFactor: 3",
                "Configs: retention.ms=600000");
        assertThat(Cli.run("topics", "describe", "-b", servers, "-t", topic).out()).contains("Partition: 1\tLeader: ");
        assertThat(Cli.run("topics", "list", "-b", servers).out().lines()).contains(topic);
        assertThat(Cli.run("topics", "delete", "-b", servers, topic).out()).contains("Deleted topic " + topic);
        Cli.Result missing = Cli.run("topics", "describe", "-b", servers, "-t", topic);
        assertThat(missing.code()).isNotZero();
    }

    @Test
    void consoleProducerAndConsoleConsumerAsTheLabUsedThem(KafkaCluster cluster) {
        String topic = KafkaTestUtils.uniqueTopic("console");
        String servers = cluster.bootstrapServers();
        cluster.createTopic(topic, 1, 2);
        Cli.Result produced = Cli.withInput("user-1:привет\nuser-2:hello\nno separator here\n",
                "console-producer", "-b", servers, "-t", topic, "--key-separator", ":");
        assertThat(produced.code()).isZero();
        assertThat(produced.err()).contains("3 sent, 3 acknowledged, 0 failed");

        Cli.Result fromBeginning = Cli.run("console-consumer", "-b", servers, "-t", topic, "--from-beginning",
                "--max-messages", "3", "--print-key");
        assertThat(fromBeginning.code()).isZero();
        assertThat(fromBeginning.out().lines().toList())
                .containsExactly("user-1\tпривет", "user-2\thello", "null\tno separator here");
        assertThat(fromBeginning.err()).contains("Processed a total of 3 messages");

        // without --from-beginning a new consumer starts at the end: nothing, then the timeout ends it
        Cli.Result fromEnd = Cli.run("console-consumer", "-b", servers, "-t", topic, "--timeout-ms", "3000");
        assertThat(fromEnd.code()).isZero();
        assertThat(fromEnd.out()).isEmpty();
        assertThat(fromEnd.err()).contains("Processed a total of 0 messages");
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : List.of("lab", "cluster", "produce", "consume-single", "consume-batch", "consume-shared",
                "topics", "console-producer", "console-consumer", "http", "consume-segmented", "ui", "zk-shell")) {
            Cli.Result help = Cli.run(command, "--help");
            assertThat(help.code()).as(command).isZero();
            assertThat(help.out()).as(command).startsWith("Usage: kafkalab " + command);
        }
    }

    @Test
    void theAppsAreAlsoPlainMainsForContainers(KafkaCluster cluster) {
        String topic = KafkaTestUtils.uniqueTopic("mains");
        cluster.createTopic(topic, 3, 2);
        try (io.kafkalab.testkit.JvmProcess producer = io.kafkalab.testkit.JvmProcess.start(Producer.class,
                "--bootstrap-servers", cluster.bootstrapServers(), "--topic", topic, "--count", "20", "--quiet")) {
            producer.awaitLine(l -> l.startsWith("produced 20"), java.time.Duration.ofSeconds(60));
            assertThat(producer.terminate(java.time.Duration.ofSeconds(30))).isTrue();
        }
        try (io.kafkalab.testkit.JvmProcess consumer = io.kafkalab.testkit.JvmProcess.start(
                SingleMessageConsumer.class, "--bootstrap-servers", cluster.bootstrapServers(), "--topic", topic,
                "--group", KafkaTestUtils.uniqueGroup("mains"), "--max-messages", "20")) {
            consumer.awaitLine(l -> l.startsWith("single-consumer consumed 20 messages"),
                    java.time.Duration.ofSeconds(60));
        }
        // no stop condition: it runs until SIGTERM (Ctrl-C), then commits and prints its total
        String group = KafkaTestUtils.uniqueGroup("sigterm");
        try (io.kafkalab.testkit.JvmProcess consumer = io.kafkalab.testkit.JvmProcess.start(
                BatchMessageConsumer.class, "--bootstrap-servers", cluster.bootstrapServers(), "--topic", topic,
                "--group", group)) {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> consumer.lines()
                    .stream().filter(l -> l.startsWith("batch-consumer partition=")).count() == 20);
            assertThat(consumer.terminate(java.time.Duration.ofSeconds(60))).isTrue();
            assertThat(consumer.lines()).as("exit code %d", consumer.exitValue()).contains("batch-consumer consumed 20 messages from partitions [0, 1, 2], "
                    + "users [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]");
        }
        assertThat(KafkaTestUtils.committedOffsets(cluster, group).values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(20);
    }
}
