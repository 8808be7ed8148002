package io.kafkalab.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kafkalab.testkit.junit.KafkaTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that share no code with Kafka's Java client see the embedded cluster: kcat (librdkafka) and
 * kafka-python, both from Debian ({@code apt-get install kcat python3-kafka}). Skipped with the reason
 * where they are not installed, except under {@code CI=true} ({@code .ci/run} installs them and sets it): there a
 * missing client fails the test.
 */
@KafkaTest(brokers = 3)
class IndependentClientsIT {

    private static final Path KCAT = Path.of("/usr/bin/kcat");
    // Debian's own python3: kafka-python is installed for it, not for a pyenv python earlier on PATH
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    @Test
    void kcatListsEveryBrokerAndReadsWhatJavaProduced(KafkaCluster cluster) throws Exception {
        requirePeer(Files.isExecutable(KCAT), "kcat is not installed (Debian package kcat)");
        String topic = KafkaTestUtils.uniqueTopic("kcat");
        cluster.createTopic(topic, 3, 2);
        KafkaTestUtils.produce(cluster, topic, 20, i -> new ProducerRecord<>(topic, "k" + i, "java-" + i));

        String metadata = run(List.of(KCAT.toString(), "-b", cluster.bootstrapServers(), "-L", "-t", topic));
        assertThat(metadata).contains("3 brokers:", "broker 0 at 127.0.0.1", "broker 1 at 127.0.0.1",
                "broker 2 at 127.0.0.1", "topic \"" + topic + "\" with 3 partitions");

        String consumed = run(List.of(KCAT.toString(), "-b", cluster.bootstrapServers(), "-C", "-t", topic,
                "-o", "beginning", "-c", "20", "-e", "-q"));
        assertThat(consumed.lines()).hasSize(20).contains("java-0", "java-19");
    }

    @Test
    void kafkaPythonProducesWhatJavaConsumes(KafkaCluster cluster, @TempDir Path dir) throws Exception {
        requirePeer(Files.isExecutable(PYTHON) && run(List.of(PYTHON.toString(), "-c", "import kafka"), true) != null,
                "kafka-python is not installed for /usr/bin/python3 (Debian package python3-kafka)");
        String topic = KafkaTestUtils.uniqueTopic("python");
        cluster.createTopic(topic, 3, 2);
        Path script = dir.resolve("produce.py");
        Files.writeString(script, String.join("\n",
                "import sys",
                "from kafka import KafkaProducer",
                "p = KafkaProducer(bootstrap_servers=sys.argv[1].split(','), acks='all')",
                "for i in range(30):",
                "    p.send(sys.argv[2], key=str(i % 10).encode(), value=('python-%d' % i).encode())",
                "p.flush(30)",
                "p.close()",
                "print('sent 30')"));
        assertThat(run(List.of(PYTHON.toString(), script.toString(), cluster.bootstrapServers(), topic)))
                .contains("sent 30");

        List<ConsumerRecord<String, String>> records = KafkaTestUtils.consume(cluster, topic, 30,
                Duration.ofSeconds(30));
        assertThat(records).hasSize(30).extracting(ConsumerRecord::value).contains("python-0", "python-29");
    }

    /** Skips when the client is missing, but fails under {@code CI=true}, where it must be there. */
    private static void requirePeer(boolean present, String reason) {
        assertThat(present || !"true".equalsIgnoreCase(System.getenv("CI"))).as("%s; CI=true requires it", reason)
                .isTrue();
        assumeTrue(present, reason);
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        return run(command, false);
    }

    /** Runs a command with a 60 s bound; returns its output, or null when {@code quiet} and it failed. */
    private static String run(List<String> command, boolean quiet) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish within 60 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            if (quiet) {
                return null;
            }
            throw new AssertionError(command + " exited with " + p.exitValue() + ":\n" + out);
        }
        return out;
    }
}
