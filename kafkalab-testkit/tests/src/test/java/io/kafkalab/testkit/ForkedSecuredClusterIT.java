package io.kafkalab.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A process-isolated cluster with SASL_SSL, SCRAM users and the StandardAuthorizer: alice may write and read
 * {@code orders}, bob may only read it. Each gets exactly that, a wrong password is refused, and after a SIGKILL
 * and a restart of the broker the users and ACLs are still there (they live in the cluster's metadata).
 */
class ForkedSecuredClusterIT {

    private static final Duration FAIL_FAST = Duration.ofSeconds(15);
    private static ForkedKafkaCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = ForkedKafkaCluster.builder().brokers(1)
                .logDirectory(ForkedKafkaClusterIT.logs("secured"))
                .security(ClusterSecurity.builder().listeners(SecurityProtocol.SASL_SSL)
                        .user("admin", "admin-secret").user("alice", "alice-secret").user("bob", "bob-secret")
                        .authorizer()
                        .allow("alice", ResourceType.TOPIC, PatternType.LITERAL, "orders",
                                AclOperation.WRITE, AclOperation.READ, AclOperation.DESCRIBE)
                        .allow("alice", ResourceType.GROUP, PatternType.LITERAL, "alice-group", AclOperation.READ)
                        .allow("bob", ResourceType.TOPIC, PatternType.LITERAL, "orders",
                                AclOperation.READ, AclOperation.DESCRIBE)
                        .build())
                .start();
        cluster.createTopic("orders", 1, 1);
    }

    @AfterAll
    static void close() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void eachUserGetsWhatTheAclsAllowBeforeAndAfterTheBrokerIsKilledAndRestarted() throws Exception {
        assertThat(cluster.bootstrapServers()).isEqualTo(cluster.bootstrapServers(SecurityProtocol.SASL_SSL))
                .isNotEqualTo(cluster.bootstrapServers(SecurityProtocol.PLAINTEXT));
        produce("alice", "alice-secret", "before");
        assertDenied("bob");

        cluster.killBroker(0); // SIGKILL: users and ACLs must come back from the metadata log
        cluster.startBroker(0);

        produce("alice", "alice-secret", "after");
        assertDenied("bob");
        assertThat(consume("alice", "alice-group", 2)).containsExactly("before", "after");

        Throwable wrong = FailFast.failsFast(FAIL_FAST, () -> produce("alice", "not-her-password", "x"));
        assertThat(wrong).hasRootCauseInstanceOf(SaslAuthenticationException.class);
        // the passwords given to the storage format stay out of the node's log
        assertThat(Files.readString(cluster.logFile(0))).contains("--add-scram").doesNotContain("alice-secret");
    }

    private static void assertDenied(String user) {
        Throwable denied = FailFast.failsFast(FAIL_FAST, () -> produce(user, user + "-secret", "refused"));
        assertThat(denied).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(TopicAuthorizationException.class);
    }

    private static Map<String, Object> config(String user, String password) {
        Map<String, Object> config = new HashMap<>(cluster.clientConfig(SecurityProtocol.SASL_SSL, user));
        config.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user + "\" password=\"" + password + "\";");
        return config;
    }

    private static void produce(String user, String password, String value) throws Exception {
        Map<String, Object> config = config(user, password);
        config.put("key.serializer", StringSerializer.class);
        config.put("value.serializer", StringSerializer.class);
        config.put("enable.idempotence", false);
        config.put("acks", "all");
        config.put("max.block.ms", 30_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            producer.send(new ProducerRecord<>("orders", "k", value)).get(30, TimeUnit.SECONDS);
        }
    }

    private static List<String> consume(String user, String group, int count) {
        Map<String, Object> config = config(user, user + "-secret");
        config.put("key.deserializer", StringDeserializer.class);
        config.put("value.deserializer", StringDeserializer.class);
        config.put("group.id", group);
        config.put("auto.offset.reset", "earliest");
        List<String> values = new java.util.ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            consumer.subscribe(List.of("orders"));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }
}
