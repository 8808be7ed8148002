package io.kafkalab.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import io.kafkalab.segment.SegmentingProducer;
import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * {@code --max-messages N} handles and commits exactly N in every consumer command, with N not a multiple of the
 * batch or the commit interval; and {@code consume-single --concurrency} keeps each user's order.
 */
@KafkaTest(brokers = 3)
class ConsumersExactCountsIT {

    private static long committed(KafkaCluster cluster, String group) {
        return KafkaTestUtils.committedOffsets(cluster, group).values().stream().mapToLong(Long::longValue).sum();
    }

    private static String labTopic(KafkaCluster cluster, String prefix) {
        String topic = KafkaTestUtils.uniqueTopic(prefix);
        cluster.createTopic(topic, 3, 2);
        assertThat(Cli.run("produce", "-b", cluster.bootstrapServers(), "-t", topic, "--count", "100").code())
                .isZero();
        return topic;
    }

    @Test
    void theBatchConsumerCutsItsLastBatchAtMaxMessages(KafkaCluster cluster) {
        String topic = labTopic(cluster, "exact-batch");
        String group = KafkaTestUtils.uniqueGroup("exact-batch");
        Cli.Result r = Cli.run("consume-batch", "-b", cluster.bootstrapServers(), "-t", topic, "--group", group,
                "--commit-every", "10", "--max-messages", "25");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("batch-consumer consumed 25 messages");
        assertThat(r.out().lines().filter(l -> l.startsWith("batch-consumer partition="))).hasSize(25);
        assertThat(committed(cluster, group)).as("committed").isEqualTo(25);
    }

    @Test
    void theSingleConsumerAndTheConsoleConsumerStopAtExactlyN(KafkaCluster cluster) {
        String topic = labTopic(cluster, "exact-single");
        String single = KafkaTestUtils.uniqueGroup("exact-single");
        Cli.Result r = Cli.run("consume-single", "-b", cluster.bootstrapServers(), "-t", topic, "--group", single,
                "--max-messages", "7");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("single-consumer consumed 7 messages");
        assertThat(committed(cluster, single)).as("committed by Kafka's auto-commit on close").isEqualTo(7);

        String console = KafkaTestUtils.uniqueGroup("exact-console");
        Cli.Result c = Cli.run("console-consumer", "-b", cluster.bootstrapServers(), "-t", topic, "--group", console,
                "--from-beginning", "--max-messages", "13");
        assertThat(c.code()).isZero();
        assertThat(c.out().lines()).hasSize(13);
        assertThat(c.err()).contains("Processed a total of 13 messages");
        assertThat(committed(cluster, console)).isEqualTo(13);
    }

    @Test
    void theSegmentedConsumerCountsWholeMessages(KafkaCluster cluster) throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("exact-segmented");
        cluster.createTopic(topic, 1, 2);
        Map<String, Object> config = new HashMap<>(cluster.adminConfig());
        config.put("acks", "all");
        try (Producer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
                new ByteArraySerializer())) {
            SegmentingProducer<String> segments = new SegmentingProducer<>(producer, 10);
            for (int i = 0; i < 3; i++) {
                segments.sendText(topic, "k", "message " + i + " in several segments").get(30, TimeUnit.SECONDS);
            }
        }
        String group = KafkaTestUtils.uniqueGroup("exact-segmented");
        Cli.Result first = Cli.run("consume-segmented", "-b", cluster.bootstrapServers(), "-t", topic, "--group",
                group, "--from-beginning", "--max-messages", "2");
        assertThat(first.code()).isZero();
        assertThat(first.out()).contains("consume-segmented: 2 complete messages, 0 dropped");
        // the third was not committed: the same group reads exactly it next
        Cli.Result rest = Cli.run("consume-segmented", "-b", cluster.bootstrapServers(), "-t", topic, "--group",
                group, "--idle-timeout", "3s");
        assertThat(rest.out()).contains("consume-segmented: 1 complete messages, 0 dropped")
                .contains("message 2 in several segments");
    }

    @Test
    void concurrentSingleConsumerKeepsEachUsersOrder(KafkaCluster cluster) {
        String topic = labTopic(cluster, "concurrent-single");
        String group = KafkaTestUtils.uniqueGroup("concurrent-single");
        Cli.Result r = Cli.run("consume-single", "-b", cluster.bootstrapServers(), "-t", topic, "--group", group,
                "--concurrency", "10", "--ordering", "key", "--handler-delay", "20ms", "--max-messages", "100");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("single-consumer consumed 100 messages", "(concurrency 10, ordering key);"
                + " per-user order kept");
        assertThat(committed(cluster, group)).isEqualTo(100);
        // the same order check, read back from the printed lines: each user's values in increasing order
        Map<String, Integer> last = new HashMap<>();
        r.out().lines().filter(l -> l.startsWith("single-consumer partition=")).forEach(l -> {
            String user = l.replaceAll(".* key=(\\S+) .*", "$1");
            int n = Integer.parseInt(l.replaceAll(".*message (\\d+).*", "$1"));
            Integer before = last.put(user, n);
            assertThat(before == null || before < n).as("user %s: %s after %s", user, n, before).isTrue();
        });
        assertThat(last).hasSize(10);

        Cli.Result bad = Cli.run("consume-single", "-b", cluster.bootstrapServers(), "-t", topic, "--concurrency",
                "2", "--ordering", "sideways", "--max-messages", "1");
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).contains("--ordering must be partition, key or unordered, but was sideways");
    }
}
