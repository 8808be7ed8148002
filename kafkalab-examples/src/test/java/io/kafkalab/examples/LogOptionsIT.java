package io.kafkalab.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.junit.KafkaTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -v} and {@code KAFKALAB_BROKER_LOG_LEVEL} as a user runs them: a JVM of its own from the packaged jar, where
 * log4j2 reads its settings once, when the first logger is made (the commands' classes make theirs when picocli builds
 * them, so the settings must be in place before that).
 */
@KafkaTest(brokers = 1)
class LogOptionsIT {

    /** The admin client logs its configuration at INFO when it is created. */
    private static final String ADMIN_INFO = "AdminClientConfig values";

    @TempDir
    Path logDir;

    @Test
    void verboseWithTheBrokerLevelShowsKafkasInfoLinesOnStderr(KafkaCluster cluster) throws Exception {
        Run r = topicsList(cluster, Map.of("KAFKALAB_BROKER_LOG_LEVEL", "INFO"), "-v");
        assertThat(r.code).as("exit code of topics list; its stderr: %s", r.err).isZero();
        assertThat(r.err).contains(ADMIN_INFO);
        assertThat(Files.readString(logDir.resolve("kafkalab.log"))).contains(ADMIN_INFO);
    }

    @Test
    void theBrokerLevelAloneGoesToTheLogFileOnly(KafkaCluster cluster) throws Exception {
        Run r = topicsList(cluster, Map.of("KAFKALAB_BROKER_LOG_LEVEL", "INFO"));
        assertThat(r.code).as("exit code of topics list; its stderr: %s", r.err).isZero();
        assertThat(r.err).isEmpty();
        assertThat(Files.readString(logDir.resolve("kafkalab.log"))).contains(ADMIN_INFO);
    }

    @Test
    void withoutTheBrokerLevelKafkasInfoLinesStayOut(KafkaCluster cluster) throws Exception {
        Run r = topicsList(cluster, Map.of(), "--verbose");
        assertThat(r.code).as("exit code of topics list; its stderr: %s", r.err).isZero();
        assertThat(r.err).doesNotContain(ADMIN_INFO);
        Path log = logDir.resolve("kafkalab.log");
        assertThat(Files.exists(log) ? Files.readString(log) : "").doesNotContain(ADMIN_INFO);
    }

    @Test
    void theOptionsAreFoundBeforeAnEndOfOptionsMarkerOnly() {
        assertThat(KafkaLab.logSettings(" DEBUG ", "topics", "-v", "list"))
                .containsExactlyInAnyOrderEntriesOf(Map.of("kafkalab.broker.level", "DEBUG",
                        "kafkalab.console.level", "INFO"));
        assertThat(KafkaLab.logSettings(null, "console-producer", "--", "-v")).isEmpty();
        assertThat(KafkaLab.logSettings(" ", "--verbose")).containsExactlyEntriesOf(
                Map.of("kafkalab.console.level", "INFO"));
    }

    private record Run(int code, String err) {
    }

    private Run topicsList(KafkaCluster cluster, Map<String, String> env, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dkafkalab.log.dir=" + logDir, "-jar",
                System.getProperty("kafkalab.examples.jar"), "topics", "list", "-b", cluster.bootstrapServers()));
        cmd.addAll(List.of(options));
        Path err = logDir.resolve("stderr.txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile());
        pb.environment().remove("KAFKALAB_BROKER_LOG_LEVEL");
        // the preflight's 4 s for the cluster to answer is for a person at a terminal; a CI machine running other
        // suites beside this one once took longer (exit 1), and this test is about where the lines go
        pb.environment().put("KAFKALAB_CLUSTER_WAIT", "30");
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("topics list did not end within 60 s; stderr: " + Files.readString(err));
        }
        return new Run(p.exitValue(), Files.readString(err));
    }
}
