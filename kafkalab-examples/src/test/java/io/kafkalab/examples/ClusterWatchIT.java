package io.kafkalab.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkalab.testkit.EmbeddedKafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A consumer that is running when its cluster goes away keeps retrying, as Kafka's do, but says so on stderr
 * after a few seconds, says when the cluster is back, and then consumes on.
 */
// a check that breaks must fail the test, not leave a command waiting for a cluster forever
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClusterWatchIT {

    /** A cluster of its own: the test takes its only broker down. */
    private static EmbeddedKafkaCluster cluster;

    @BeforeAll
    static void start() {
        cluster = EmbeddedKafkaCluster.builder().brokers(1)
                .topology(EmbeddedKafkaCluster.Topology.DEDICATED_CONTROLLER).start();
    }

    @AfterAll
    static void close() {
        cluster.close();
    }

    @Test
    void aRunningConsumerSaysWhenTheClusterStopsAnsweringAndWhenItIsBack() throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("watch");
        cluster.createTopic(topic, 1, 1);
        String servers = cluster.bootstrapServers();
        Cli.Running consumer = Cli.start("consume-single", "-b", servers, "-t", topic, "--group",
                KafkaTestUtils.uniqueGroup("watch"), "--max-messages", "1");
        await().atMost(Duration.ofSeconds(30)).until(() -> consumer.outSoFar().contains("single-consumer assigned"));

        cluster.stopBroker(0);
        long down = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).until(() -> consumer.errSoFar().contains("no Kafka broker answers"));
        assertThat(Duration.ofNanos(System.nanoTime() - down)).as("not before a few seconds")
                .isGreaterThanOrEqualTo(ClusterWatch.REPORT_AFTER);
        assertThat(consumer.errSoFar()).matches("single-consumer: no Kafka broker answers at " + servers
                + " for \\d+ s; retrying until the cluster is back \\(start it with \\./kafkalab cluster; Ctrl-C stops "
                + "this command\\)\n");
        assertThat(consumer.code()).as("still running").isNotDone();

        cluster.startBroker(0);
        await().atMost(Duration.ofSeconds(30)).until(() -> consumer.errSoFar().contains("answers again"));
        assertThat(consumer.errSoFar().lines().toList()).hasSize(2).last().asString()
                .matches("single-consumer: the cluster at " + servers + " answers again, after \\d+ s without");

        assertThat(Cli.run("produce", "-b", servers, "-t", topic, "--count", "1", "--quiet").code()).isZero();
        assertThat(consumer.code().get(60, TimeUnit.SECONDS)).as(consumer.errSoFar()).isZero();
        assertThat(consumer.outSoFar()).contains("single-consumer consumed 1 messages");
    }
}
