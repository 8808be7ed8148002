package io.kafkalab.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkalab.testkit.ClusterSecurity;
import io.kafkalab.testkit.EmbeddedKafkaCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The apps against a cluster with an authorizer: alice may write {@code orders}, bob may only read it. A command
 * refused by the authorizer ends at once with one line naming the operation, the topic and the user; the HTTP API
 * answers 403 for a topic its Kafka user may not write.
 */
class AuthorizedAppsIT {

    private static final Duration FAIL_FAST = Duration.ofSeconds(15);

    private static EmbeddedKafkaCluster cluster;

    @BeforeAll
    static void start() {
        cluster = EmbeddedKafkaCluster.builder().brokers(1).topology(EmbeddedKafkaCluster.Topology.DEDICATED_CONTROLLER)
                .security(ClusterSecurity.builder().listeners(SecurityProtocol.SASL_PLAINTEXT)
                        .user("admin", "admin-secret").user("alice", "alice-secret").user("bob", "bob-secret")
                        .allow("alice", ResourceType.TOPIC, PatternType.LITERAL, "orders",
                                AclOperation.WRITE, AclOperation.READ, AclOperation.DESCRIBE)
                        .allow("bob", ResourceType.TOPIC, PatternType.LITERAL, "orders",
                                AclOperation.READ, AclOperation.DESCRIBE)
                        .build())
                .start();
        cluster.createTopic("orders", 1, 1);
    }

    @AfterAll
    static void close() {
        cluster.close();
    }

    private static String[] as(String user, String... command) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of("-b", cluster.bootstrapServers(SecurityProtocol.SASL_PLAINTEXT),
                "--security-protocol", "SASL_PLAINTEXT", "--sasl-username", user, "--sasl-password", user + "-secret"));
        return all.toArray(String[]::new);
    }

    @Test
    void produceAsAUserWhoMayOnlyReadEndsWithOneLineNamingOperationTopicAndUser() {
        Cli.Result alice = Cli.run(as("alice", "produce", "-t", "orders", "--count", "3", "--quiet"));
        assertThat(alice.code()).as(alice.err()).isZero();

        long begin = System.nanoTime();
        Cli.Result bob = Cli.run(as("bob", "produce", "-t", "orders", "--count", "3", "--quiet"));
        Duration took = Duration.ofNanos(System.nanoTime() - begin);
        assertThat(took).as("took %s", took).isLessThan(FAIL_FAST);
        assertThat(bob.code()).isEqualTo(1);
        assertThat(bob.err().strip()).isEqualTo("kafkalab produce: not authorized to WRITE topic 'orders' as user bob");
    }

    @Test
    void aConsumerDeniedItsGroupStopsWithOneLineNamingGroupAndUser() {
        long begin = System.nanoTime();
        Cli.Result bob = Cli.run(as("bob", "consume-single", "-t", "orders", "--group", "not-bobs",
                "--max-messages", "1", "--idle-timeout", "60s"));
        Duration took = Duration.ofNanos(System.nanoTime() - begin);
        assertThat(took).as("took %s", took).isLessThan(FAIL_FAST);
        assertThat(bob.code()).isEqualTo(1);
        assertThat(bob.err()).contains("consumer stopped: not authorized to READ group 'not-bobs' as user bob\n")
                .doesNotContain("\tat ");
    }

    @Test
    void theHttpApiAnswers403ForATopicItsUserMayNotWrite() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String user : List.of("alice", "bob")) {
            Map<String, Object> config = cluster.clientConfig(SecurityProtocol.SASL_PLAINTEXT, user);
            try (SendMessageServer server = new SendMessageServer(new SendMessageServer.Settings("127.0.0.1", 0,
                    cluster.bootstrapServers(SecurityProtocol.SASL_PLAINTEXT), "orders", 100, 10_000,
                    Duration.ofSeconds(10), 2, config, null, HttpLimits.DEFAULT_REQUEST_TIMEOUT)).start()) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                                + "/send_message")).header("Content-Type", "application/json")
                        .timeout(FAIL_FAST)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"message\": \"hello\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (user.equals("alice")) {
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                } else {
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
                    assertThat(new ObjectMapper().readTree(r.body()).get("error").asText())
                            .isEqualTo("not authorized to WRITE topic 'orders': the message was not sent");
                }
            }
        }
    }
}
