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
        // the share group: both members read all three partitions and split the messages between them
        assertThat(r.out()).contains("  share-consumer-1 (share-group) assigned partitions [0, 1, 2]",
                "  share-consumer-2 (share-group) assigned partitions [0, 1, 2]");
        assertThat(lines.stream().filter(l -> l.startsWith("  share-consumer-") && l.contains(" users ")))
                .hasSize(2).allSatisfy(l -> assertThat(l).contains("partitions [0, 1, 2]")
                        .containsPattern("messages ([1-9]\\d*)$"));
        assertThat(lines).anyMatch(l -> l.matches("  share-group +100 +100 +0"));
        String split = lines.stream().filter(l -> l.startsWith("  split between the two members: ")).findFirst()
                .orElseThrow();
        assertThat(split).matches("  split between the two members: single-group \\d+/\\d+, batch-group \\d+/\\d+,"
                + " share-group \\d+/\\d+");
        // an even split, with room for the race between the two members' fetches (measured: 50/50 in most runs)
        int first = Integer.parseInt(split.replaceAll(".*share-group (\\d+)/\\d+$", "$1"));
        assertThat(first).as(split).isBetween(30, 70);
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

    /** {@code --security}: the lab runs as alice on a secured cluster, then bob and carol meet the ACLs. */
    @Test
    void withSecurityTheLabRunsAsAliceAndBobAndCarolGetWhatTheAclsAllow() {
        Cli.Result r = Cli.run("lab", "--security", "sasl-plaintext", "--messages", "30");

        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("secured: SASL_PLAINTEXT", "the lab runs as alice",
                "  bob   writes:                  refused, not authorized to WRITE topic 'topic'",
                "  carol reads in carol-lab:      refused, not authorized to READ ",
                "  bob   reads in bob-lab:        allowed, 30 of 30 messages",
                "AUTHORIZATION bob-write=refused carol-read=refused bob-read=30")
                .endsWith("SUMMARY produced=30 acked=30 single-group=30 batch-group=30 lost=0 duplicates=0\n");
    }

    @Test
    void securityDoesNotGoWithAnExistingCluster() {
        Cli.Result r = Cli.run("lab", "--security", "sasl-ssl", "--bootstrap-servers", "127.0.0.1:1");

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("kafkalab lab: --security starts a secured cluster in this JVM, with "
                + "users and passwords of its own: it does not go with --bootstrap-servers");
    }

    @Test
    void withUiTheClusterAndTheUiStayAfterTheSummaryUntilCtrlC() throws Exception {
        try (io.kafkalab.testkit.JvmProcess lab = io.kafkalab.testkit.JvmProcess.start(KafkaLab.class, "lab",
                "--messages", "20", "--ui", "--ui-port", "0")) {
            String ui = lab.awaitLine(l -> l.startsWith("  UI: "), java.time.Duration.ofSeconds(120)).substring(6);
            assertThat(ui).matches("http://127\\.0\\.0\\.1:\\d+/");
            assertThat(lab.awaitLine(l -> l.startsWith("SUMMARY "), java.time.Duration.ofSeconds(120)))
                    .isEqualTo("SUMMARY produced=20 acked=20 single-group=20 batch-group=20 lost=0 duplicates=0");
            lab.awaitLine(l -> l.startsWith("The cluster and the UI keep running: " + ui), java.time.Duration.ofSeconds(10));
            // after the SUMMARY, the UI still shows the lab's topic and its two groups, which read everything
            java.net.http.HttpResponse<String> topics = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(ui + "api/topics"))
                            .timeout(java.time.Duration.ofSeconds(30)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(topics.statusCode()).isEqualTo(200);
            assertThat(topics.body()).contains("\"name\":\"topic\"", "\"messages\":20",
                    "{\"id\":\"batch-group\",\"lag\":0}", "{\"id\":\"single-group\",\"lag\":0}");
            assertThat(lab.terminate(java.time.Duration.ofSeconds(60))).isTrue();
        }
    }
}
