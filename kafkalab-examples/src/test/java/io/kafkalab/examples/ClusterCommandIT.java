package io.kafkalab.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkalab.testkit.KafkaTestUtils;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Node;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kafkalab cluster} as a user runs it: a separate JVM from the packaged jar, driven on stdin. */
class ClusterCommandIT {

    private static final long TIMEOUT_SECONDS = 60;

    @TempDir
    Path logDir;

    private ClusterProcess app;
    private Process process;

    @AfterEach
    void killLeftover() {
        if (app != null) {
            app.close();
        }
    }

    @Test
    void printsOneReadyLineObeysStatusStopStartAndStopsCleanlyOnSigterm() throws Exception {
        int port = KafkaTestUtils.freePortRange(3);
        start("cluster", "--port", String.valueOf(port));

        String expected = "bootstrap.servers=127.0.0.1:" + port + ",127.0.0.1:" + (port + 1) + ",127.0.0.1:" + (port + 2);
        assertThat(nextLine()).isEqualTo(expected);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", expected.substring(expected.indexOf('=') + 1)))) {
            assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).extracting(Node::id)
                    .containsExactlyInAnyOrder(0, 1, 2);
        }

        // three brokers and their controller, apart
        send("status");
        List<String> status = List.of(nextLine(), nextLine(), nextLine(), nextLine());
        assertThat(status.subList(0, 3)).allSatisfy(l -> assertThat(l).contains(" up ").endsWith("roles=broker"));
        assertThat(status.get(3)).startsWith("node 3000 ").contains(" up ")
                .endsWith("roles=controller (active controller)");

        send("stop 1");
        assertThat(nextLine()).isEqualTo("broker 1 stopped");
        send("status");
        assertThat(List.of(nextLine(), nextLine(), nextLine(), nextLine()))
                .filteredOn(l -> l.startsWith("node 1 ")).singleElement()
                .satisfies(l -> assertThat(l).contains(" down "));

        send("start 1");
        assertThat(nextLine()).isEqualTo("broker 1 started");
        send("stop 7");
        assertThat(nextLine()).isEqualTo("error: no broker with id 7; brokers are [0, 1, 2]");
        // signals need a process per node
        send("kill 1");
        assertThat(nextLine()).isEqualTo("kill needs --isolation process (each node its own JVM to signal); this"
                + " cluster runs in this JVM, where stop <id> and start <id> work");

        process.destroy(); // SIGTERM
        assertThat(process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("exits within 60 s of SIGTERM").isTrue();
        assertThat(process.exitValue()).isEqualTo(143);
        assertThat(stderr()).contains("Cluster stopped in");
        assertThat(app.allStdout()).filteredOn(l -> l.startsWith("bootstrap.servers=")).hasSize(1);
        for (int p = port; p < port + 3; p++) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p));
            }
        }
        assertThat(Files.readString(logDir.resolve("kafkalab.log"))).contains("Embedded Kafka cluster");
    }

    @Test
    void quitStopsTheClusterWithExitCodeZero() throws Exception {
        // the docker-compose layout: every broker a controller too
        start("cluster", "--brokers", "1", "--port", "0", "--combined");
        assertThat(nextLine()).matches("bootstrap\\.servers=127\\.0\\.0\\.1:\\d+");
        send("status");
        assertThat(nextLine()).endsWith("roles=broker,controller (active controller)");
        send("quit");
        assertThat(process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        assertThat(stderr()).contains("Cluster stopped in");
    }

    @Test
    void withUiServesItsViewOfTheClusterOnLoopback() throws Exception {
        int port = KafkaTestUtils.freePortRange(1);
        start("cluster", "--brokers", "1", "--port", String.valueOf(port), "--ui", "--ui-port", "0");
        assertThat(nextLine()).isEqualTo("bootstrap.servers=127.0.0.1:" + port);
        String ui = org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(
                () -> stderr().lines().filter(l -> l.startsWith("UI: ")).findFirst(), java.util.Optional::isPresent)
                .orElseThrow().substring(4);
        assertThat(ui).matches("http://127\\.0\\.0\\.1:\\d+/");
        java.net.http.HttpResponse<String> brokers = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(ui + "api/brokers"))
                        .timeout(java.time.Duration.ofSeconds(30)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(brokers.statusCode()).isEqualTo(200);
        assertThat(brokers.body()).contains("\"host\":\"127.0.0.1\",\"port\":" + port);
        send("quit");
        assertThat(process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
    }

    @Test
    void withSecurityEachUserGetsWhatTheAclsAllowThroughTheConfigFilesItPrints() throws Exception {
        int port = KafkaTestUtils.freePortRange(1);
        start("cluster", "--brokers", "1", "--port", String.valueOf(port), "--security", "sasl-ssl");
        assertThat(nextLine()).isEqualTo("bootstrap.servers=127.0.0.1:" + port);
        Map<String, Path> configs = new java.util.HashMap<>();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> {
            List<String> lines = stderr().lines().toList();
            for (int i = 0; i + 1 < lines.size(); i++) {
                java.util.regex.Matcher user = java.util.regex.Pattern.compile("^  (\\w+) +\\S.*").matcher(lines.get(i));
                String next = lines.get(i + 1).strip();
                if (user.matches() && next.startsWith("--command-config ")) {
                    configs.put(user.group(1), Path.of(next.substring("--command-config ".length())));
                }
            }
            assertThat(configs).containsOnlyKeys("admin", "alice", "bob", "carol");
        });
        assertThat(stderr()).contains("Secured: SASL_SSL with SCRAM-SHA-512 over TLS");
        assertThat(Files.getPosixFilePermissions(configs.get("bob")))
                .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        String bootstrap = "127.0.0.1:" + port;
        java.util.function.BiFunction<String, String[], Cli.Result> as = (user, command) -> {
            List<String> all = new java.util.ArrayList<>(List.of(command));
            all.addAll(List.of("-b", bootstrap, "--command-config", configs.get(user).toString()));
            return Cli.run(all.toArray(String[]::new));
        };
        Cli.Result alice = as.apply("alice", new String[] {"topics", "create", "-t", "orders", "--partitions", "1",
            "--replication-factor", "1"});
        assertThat(alice.code()).as(alice.err()).isZero();
        alice = as.apply("alice", new String[] {"produce", "-t", "orders", "--count", "3", "--quiet"});
        assertThat(alice.code()).as(alice.err()).isZero();
        Cli.Result bob = as.apply("bob", new String[] {"produce", "-t", "orders", "--count", "1", "--quiet"});
        assertThat(bob.code()).isEqualTo(1);
        assertThat(bob.err().strip()).isEqualTo("kafkalab produce: not authorized to WRITE topic 'orders' as user bob");
        bob = as.apply("bob", new String[] {"console-consumer", "-t", "orders", "--group", "bob-1", "--from-beginning",
            "--max-messages", "3"});
        assertThat(bob.code()).as(bob.err()).isZero();
        assertThat(bob.out().lines().filter(l -> !l.isBlank())).hasSize(3);
        Cli.Result carol = as.apply("carol", new String[] {"topics", "list"});
        assertThat(carol.code()).as(carol.err()).isZero();
        assertThat(carol.out().lines().filter(l -> !l.isBlank())).isEmpty();

        send("quit");
        assertThat(process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
        assertThat(configs.values()).allSatisfy(f -> assertThat(f).doesNotExist()); // the passwords go with it
    }

    @Test
    void securityRefusesWhatItCannotSecure() throws Exception {
        Cli.Result r = Cli.run("cluster", "--security", "sasl-ssl", "--isolation", "process");
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("--security runs a cluster in this JVM with passwords new on every run: it does"
                + " not go with --isolation process, --kafka-version, --zookeeper or --data-dir").doesNotContain("\tat ");
        r = Cli.run("cluster", "--security", "kerberos");
        assertThat(r.err()).contains("--security must be sasl-ssl or sasl-plaintext, but was 'kerberos'");
    }

    private void start(String... args) throws IOException {
        app = ClusterProcess.start(logDir, TIMEOUT_SECONDS, args);
        process = app.process();
    }

    private void send(String command) throws IOException {
        app.send(command);
    }

    private String nextLine() throws Exception {
        return app.nextLine();
    }

    private String stderr() throws IOException {
        return app.stderr();
    }
}
