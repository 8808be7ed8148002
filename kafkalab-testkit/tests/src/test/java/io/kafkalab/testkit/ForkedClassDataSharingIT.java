package io.kafkalab.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkalab.testkit.internal.ClassDataSharing;
import io.kafkalab.testkit.internal.KafkaDistributions;
import io.kafkalab.testkit.internal.ParentWatchdogMain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.internals.AppInfoParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forked nodes' class data sharing archive: the first cluster's broker writes it when it stops, the next
 * cluster's nodes map it, and the JVM accepts it for that class path and serves Kafka's classes from it.
 */
class ForkedClassDataSharingIT {

    @Test
    void theFirstClusterWritesTheArchiveAndTheNextOneStartsFromIt(@TempDir Path dir) throws Exception {
        String previous = System.getProperty("kafkalab.cds.dir");
        System.setProperty("kafkalab.cds.dir", dir.toString());
        try {
            Path lib = KafkaDistributions.require(AppInfoParser.getVersion());
            ClassDataSharing sharing = ClassDataSharing.forClassPath(lib, ParentWatchdogMain.class,
                    ForkedKafkaCluster.DEFAULT_JVM_OPTIONS);
            assertThat(sharing).isNotNull();
            assertThat(sharing.archive()).doesNotExist();
            assertThat(sharing.archive().getParent()).isEqualTo(dir);

            Path firstLogs = dir.resolve("first");
            try (ForkedKafkaCluster cluster = ForkedKafkaCluster.builder().brokers(1).controllers(1)
                    .logDirectory(firstLogs).start()) {
                assertThat(cluster.runningBrokerIds()).containsExactly(0);
                assertThat(sharing.archive()).as("written at exit, not before").doesNotExist();
            }
            assertThat(sharing.archive()).isRegularFile();
            assertThat(Files.size(sharing.archive())).isGreaterThan(1 << 20);
            assertThat(Files.readString(firstLogs.resolve("node-0.log"))).contains("-XX:ArchiveClassesAtExit=");
            try (var left = Files.list(dir)) {
                assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
            }

            Path secondLogs = dir.resolve("second");
            try (ForkedKafkaCluster cluster = ForkedKafkaCluster.builder().brokers(1).controllers(1)
                    .logDirectory(secondLogs).start()) {
                String topic = KafkaTestUtils.uniqueTopic("cds");
                cluster.createTopic(topic, 1, 1);
                assertThat(cluster.listTopics()).contains(topic);
            }
            String shared = "-XX:SharedArchiveFile=" + sharing.archive();
            for (String node : List.of("node-0.log", "node-" + ForkedKafkaCluster.FIRST_CONTROLLER_ID + ".log")) {
                // the format and the node both map it
                assertThat(Files.readString(secondLogs.resolve(node)).lines().filter(l -> l.startsWith("kafkalab: "))
                        .toList()).as(node).hasSize(2).allSatisfy(l -> assertThat(l).contains(shared)
                        .doesNotContain("ArchiveClassesAtExit"));
            }

            // -Xshare:on: the JVM fails instead of running without the archive when it does not fit this class path
            List<String> loaded = run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xshare:on", shared, "-Xlog:class+load=info", "-cp", sharing.classPath(),
                    "kafka.tools.StorageTool", "random-uuid"), dir.resolve("check.log"));
            // "(top)": from the dynamic archive on top of the JDK's own (the broker never ran the format tool itself)
            assertThat(loaded).anyMatch(l -> l.contains(" org.apache.kafka.common.Uuid source: shared objects file (top)"));
        } finally {
            if (previous == null) {
                System.clearProperty("kafkalab.cds.dir");
            } else {
                System.setProperty("kafkalab.cds.dir", previous);
            }
        }
    }

    private static List<String> run(List<String> command, Path output) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
        List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("exit code of %s; output ends: %s", command,
                lines.subList(Math.max(0, lines.size() - 5), lines.size())).isZero();
        return lines;
    }
}
