package io.kafkalab.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkalab.testkit.ClusterSecurity;
import io.kafkalab.testkit.EmbeddedKafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The apps against a cluster that takes SASL_SSL (SCRAM-SHA-512) clients only: the security flags and a
 * {@code --command-config} file work, and a wrong password ends a command quickly with one clear line, never the
 * password.
 */
class SecureAppsIT {

    private static final String PASSWORD = "alice-secret";
    private static final Duration FAIL_FAST = Duration.ofSeconds(15);

    private static EmbeddedKafkaCluster cluster;
    private static Map<String, Object> client;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        cluster = EmbeddedKafkaCluster.builder().brokers(1).topology(EmbeddedKafkaCluster.Topology.DEDICATED_CONTROLLER)
                .security(ClusterSecurity.builder().listeners(SecurityProtocol.SASL_SSL).user("alice", PASSWORD).build())
                .start();
        client = cluster.clientConfig(SecurityProtocol.SASL_SSL, "alice");
    }

    @AfterAll
    static void close() {
        cluster.close();
    }

    /** Flags for the SASL_SSL listener, the password read from a file. */
    private static List<String> securityFlags(String password) throws IOException {
        Path passwordFile = Files.writeString(Files.createTempFile(dir, "password", ".txt"), password + "\n");
        return List.of("-b", cluster.bootstrapServers(), "--security-protocol", "SASL_SSL", "--sasl-username", "alice",
                "--sasl-password-file", passwordFile.toString(),
                "--ssl-truststore-location", client.get("ssl.truststore.location").toString(),
                "--ssl-truststore-password", client.get("ssl.truststore.password").toString(),
                "--ssl-truststore-type", "PKCS12");
    }

    private static String[] args(List<String> flags, String... more) {
        List<String> all = new ArrayList<>(List.of(more));
        all.addAll(flags);
        return all.toArray(String[]::new);
    }

    @Test
    void produceAndConsumeWithSecurityFlagsAndWithACommandConfigFile() throws IOException {
        String topic = KafkaTestUtils.uniqueTopic("secure-apps");
        List<String> flags = securityFlags(PASSWORD);
        assertThat(Cli.run(args(flags, "topics", "create", "-t", topic, "--partitions", "3", "--replication-factor",
                "1")).code()).isZero();

        Cli.Result produced = Cli.run(args(flags, "produce", "-t", topic, "--count", "30", "--quiet"));
        assertThat(produced.code()).as(produced.err()).isZero();
        assertThat(produced.out()).contains(": 30 sent, 30 acknowledged, 0 failed");

        // Kafka tools' convention: every client setting in one properties file
        Properties properties = new Properties();
        client.forEach((k, v) -> properties.setProperty(k, v.toString()));
        Path commandConfig = dir.resolve("client.properties");
        try (OutputStream out = Files.newOutputStream(commandConfig)) {
            properties.store(out, null);
        }
        Cli.Result consumed = Cli.run("consume-single", "-b", cluster.bootstrapServers(), "-t", topic,
                "--command-config", commandConfig.toString(), "--group", KafkaTestUtils.uniqueGroup("secure"),
                "--max-messages", "30");
        assertThat(consumed.code()).as(consumed.err()).isZero();
        assertThat(consumed.out()).contains("single-consumer consumed 30 messages from partitions [0, 1, 2]");
    }

    @Test
    void aWrongPasswordEndsEachCommandQuicklyWithOneClearLine() throws IOException {
        String topic = KafkaTestUtils.uniqueTopic("secure-wrong");
        cluster.createTopic(topic, 1, 1);
        List<String> wrong = securityFlags("not-" + PASSWORD);

        for (String[] command : List.of(args(wrong, "produce", "-t", topic, "--count", "5"),
                args(wrong, "topics", "list"),
                args(wrong, "consume-single", "-t", topic, "--max-messages", "1", "--idle-timeout", "60s"))) {
            long begin = System.nanoTime();
            Cli.Result r = Cli.run(command);
            Duration took = Duration.ofNanos(System.nanoTime() - begin);
            assertThat(took).as("%s took %s", command[0], took).isLessThan(FAIL_FAST);
            assertThat(r.code()).as(command[0]).isNotZero();
            assertThat(r.err()).as(command[0]).contains(
                    "authentication failed: Authentication failed during authentication due to invalid credentials "
                            + "with SASL mechanism SCRAM-SHA-512")
                    .doesNotContain("\tat ", "not-" + PASSWORD);
            assertThat(r.out()).as(command[0]).doesNotContain("not-" + PASSWORD);
        }
    }

    @Test
    void aPlaintextClientAtTheTlsListenerIsToldToUseTls() {
        Cli.Result r = Cli.run("topics", "list", "-b", cluster.bootstrapServers());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("kafkalab topics list: no Kafka broker answers at " + cluster.bootstrapServers()
                + " (a TLS listener: it answered in TLS, so pass --security-protocol SSL or SASL_SSL); "
                + ClusterCheck.ADVICE + "\n");
    }

    @Test
    void settingsThatDoNotFitTogetherAreRefusedWithTheOptionNamed() {
        Cli.Result noUser = Cli.run("topics", "list", "-b", cluster.bootstrapServers(), "--security-protocol", "SASL_SSL");
        assertThat(noUser.code()).isNotZero();
        assertThat(noUser.err().strip()).isEqualTo("kafkalab topics list: --security-protocol SASL_SSL needs --sasl-username "
                + "(env KAFKA_SASL_USERNAME) and a password, or sasl.jaas.config in --command-config");
    }

    @Test
    void theHttpApiSendsWithTheRightCredentialsAndAnswersAGeneric503WithWrongOnes() throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("secure-http");
        cluster.createTopic(topic, 1, 1);
        Map<String, Object> wrong = new java.util.HashMap<>(client);
        wrong.put("sasl.jaas.config", KafkaOptions.jaasConfig("SCRAM-SHA-512", "alice", "wrong"));
        HttpClient http = HttpClient.newHttpClient();
        for (Map<String, Object> config : List.of(client, wrong)) {
            try (SendMessageServer server = new SendMessageServer(new SendMessageServer.Settings("127.0.0.1", 0,
                    cluster.bootstrapServers(), topic, 100, 10_000, Duration.ofSeconds(10), 2, config, null,
                    HttpLimits.DEFAULT_REQUEST_TIMEOUT)).start()) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                                + "/send_message")).header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"message\": \"hello\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (config == client) {
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                } else {
                    assertThat(r.statusCode()).isEqualTo(503);
                    assertThat(new ObjectMapper().readTree(r.body()).get("error").asText())
                            .isEqualTo("Kafka is unavailable: the message was not sent");
                }
            }
        }
        assertThat(KafkaTestUtils.consume(cluster, topic, 1, Duration.ofSeconds(30))).hasSize(1);
    }
}
