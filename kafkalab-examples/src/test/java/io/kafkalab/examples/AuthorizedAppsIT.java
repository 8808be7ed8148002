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
                        .user("carol", "carol-secret")
                        .allow("alice", ResourceType.TOPIC, PatternType.LITERAL, "orders",
                                AclOperation.WRITE, AclOperation.READ, AclOperation.DESCRIBE)
                        .allow("bob", ResourceType.TOPIC, PatternType.LITERAL, "orders",
                                AclOperation.READ, AclOperation.DESCRIBE)
                        .allow("bob", ResourceType.GROUP, PatternType.PREFIXED, "bob-", AclOperation.READ)
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

    /** Runs a command that the authorizer refuses: it ends within the bound, exit 1, one line, no stack trace. */
    private static String denied(String user, String stdin, String... command) {
        long begin = System.nanoTime();
        Cli.Result r = Cli.withInput(stdin, as(user, command));
        Duration took = Duration.ofNanos(System.nanoTime() - begin);
        assertThat(took).as("%s took %s", List.of(command), took).isLessThan(FAIL_FAST);
        assertThat(r.code()).as(r.out() + r.err()).isEqualTo(1);
        assertThat(r.err()).as(r.err()).doesNotContain("\tat ").doesNotContain("Exception");
        // console-consumer ends with Kafka's "Processed a total of N messages", failure or not
        // consume-shared says first, as a note, that a user who may not configure the group could not set its start
        List<String> lines = r.err().lines().filter(l -> !l.isBlank() && !l.startsWith("Processed a total of")
                && !l.startsWith("kafkalab consume-shared: note: --start ")).toList();
        assertThat(lines).as(r.err()).hasSize(1);
        return lines.get(0);
    }

    @Test
    void everyConsumerCommandDeniedItsGroupOrTopicEndsWithOneLine() {
        for (String command : List.of("consume-single", "consume-batch", "console-consumer", "consume-segmented",
                "consume-shared")) {
            assertThat(denied("bob", "", command, "-t", "orders", "--group", "not-bobs", "--max-messages", "1"))
                    .as(command).endsWith("not authorized to READ group 'not-bobs' as user bob");
            assertThat(denied("carol", "", command, "-t", "orders", "--group", "bob-carol", "--max-messages", "1"))
                    .as(command).endsWith("not authorized to READ topic 'orders' as user carol");
        }
    }

    /**
     * A share group's start is a group configuration, which a reader may not be allowed to set: consume-shared says
     * so in a note and reads from where the group's configuration (set by an admin here) says.
     */
    @Test
    void aShareConsumerThatMayReadButNotConfigureItsGroupStillConsumes() throws Exception {
        Cli.Result alice = Cli.run(as("alice", "produce", "-t", "orders", "--count", "3", "--quiet"));
        assertThat(alice.code()).as(alice.err()).isZero();
        io.kafkalab.consumer.share.ShareGroups.autoOffsetReset(cluster.admin(), "bob-shared", "earliest",
                Duration.ofSeconds(30)); // as admin

        Cli.Result bob = Cli.run(as("bob", "consume-shared", "-t", "orders", "--group", "bob-shared",
                "--max-messages", "3", "--idle-timeout", "60s"));
        assertThat(bob.code()).as(bob.out() + bob.err()).isZero();
        assertThat(bob.err().strip()).isEqualTo("kafkalab consume-shared: note: --start earliest not applied (not "
                + "authorized to ALTER_CONFIGS group 'bob-shared'); the group starts where its configuration says "
                + "(share.auto.offset.reset, latest unless set)");
        assertThat(bob.out()).contains("share-consumer consumed 3 messages from partitions [0]");
    }

    @Test
    void theConsoleProducerDeniedItsTopicEndsWithOneLine() {
        assertThat(denied("bob", "a\nb\n", "console-producer", "-t", "orders"))
                .isEqualTo("kafkalab console-producer: not authorized to WRITE topic 'orders' as user bob");
    }

    @Test
    void topicCommandsDeniedEndWithOneLine() {
        assertThat(denied("bob", "", "topics", "create", "-t", "bobs-topic", "--partitions", "1", "--replication-factor", "1"))
                .isEqualTo("kafkalab topics create: not authorized to CREATE topic 'bobs-topic' as user bob");
        assertThat(denied("bob", "", "topics", "delete", "orders"))
                .isEqualTo("kafkalab topics delete: not authorized to DELETE topic 'orders' as user bob");
        assertThat(denied("carol", "", "topics", "describe", "-t", "orders"))
                .isEqualTo("kafkalab topics describe: not authorized to DESCRIBE topic 'orders' as user carol");
        // Kafka lists only the topics a user may describe: carol sees none, bob sees orders
        Cli.Result carol = Cli.run(as("carol", "topics", "list"));
        assertThat(carol.code()).as(carol.err()).isZero();
        assertThat(carol.out().lines().filter(l -> !l.isBlank())).isEmpty();
        Cli.Result bob = Cli.run(as("bob", "topics", "list"));
        assertThat(bob.code()).as(bob.err()).isZero();
        assertThat(bob.out().lines()).contains("orders");
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
