package io.kafkalab.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import org.junit.jupiter.api.Test;

/** {@code consume-shared}: a share-group member handles, acknowledges and retries the lab's messages. */
@KafkaTest(brokers = 3)
class ConsumeSharedIT {

    private static String labTopic(KafkaCluster cluster, String prefix, int count) {
        String topic = KafkaTestUtils.uniqueTopic(prefix);
        cluster.createTopic(topic, 3, 2);
        assertThat(Cli.run("produce", "-b", cluster.bootstrapServers(), "-t", topic, "--count",
                String.valueOf(count)).code()).isZero();
        return topic;
    }

    @Test
    void consumesExactlyMaxMessagesAndTheGroupDoesNotGetAcceptedOnesAgain(KafkaCluster cluster) {
        String topic = labTopic(cluster, "shared", 30);
        String group = KafkaTestUtils.uniqueGroup("shared");
        Cli.Result first = Cli.run("consume-shared", "-b", cluster.bootstrapServers(), "-t", topic, "--group", group,
                "--max-messages", "30");
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).contains("share-consumer consuming " + topic)
                .contains("share-consumer consumed 30 messages from partitions [0, 1, 2]")
                .contains("(accepted 30, released 0, rejected 0)");
        assertThat(first.out().lines().filter(l -> l.startsWith("share-consumer partition="))).hasSize(30)
                .allMatch(l -> l.contains(" delivery=1 "));
        // accepted is done: the same group, on a topic of the same 30 messages, has nothing left to deliver
        Cli.Result again = Cli.run("consume-shared", "-b", cluster.bootstrapServers(), "-t", topic, "--group", group,
                "--idle-timeout", "3s");
        assertThat(again.code()).isZero();
        assertThat(again.out()).contains("share-consumer consumed 0 messages");
    }

    @Test
    void releasesFailedDeliveriesAndRejectsWhenTheAttemptsAreUsedUp(KafkaCluster cluster) {
        String retried = labTopic(cluster, "shared-retry", 5);
        Cli.Result r = Cli.run("consume-shared", "-b", cluster.bootstrapServers(), "-t", retried, "--group",
                KafkaTestUtils.uniqueGroup("shared-retry"), "--fail-deliveries", "1", "--max-messages", "5");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("(accepted 5, released 5, rejected 0)");
        assertThat(r.out().lines().filter(l -> l.startsWith("share-consumer RELEASE "))).hasSize(5)
                .allMatch(l -> l.contains("after delivery 1: simulated failure on delivery 1"));
        assertThat(r.out().lines().filter(l -> l.startsWith("share-consumer partition="))).hasSize(5)
                .allMatch(l -> l.contains(" delivery=2 "));

        String rejected = labTopic(cluster, "shared-reject", 5);
        Cli.Result x = Cli.run("consume-shared", "-b", cluster.bootstrapServers(), "-t", rejected, "--group",
                KafkaTestUtils.uniqueGroup("shared-reject"), "--fail-deliveries", "9", "--attempts", "1",
                "--max-messages", "5");
        assertThat(x.code()).as(x.err()).isZero();
        assertThat(x.out()).contains("share-consumer consumed 0 messages")
                .contains("(accepted 0, released 0, rejected 5)");
        assertThat(x.out().lines().filter(l -> l.startsWith("share-consumer REJECT "))).hasSize(5);
    }
}
