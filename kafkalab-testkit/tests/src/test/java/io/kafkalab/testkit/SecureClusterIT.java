package io.kafkalab.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One cluster with SASL_SSL, SSL and SASL_PLAINTEXT client listeners (SCRAM-SHA-512): the right credentials
 * work on each; a wrong password, a plaintext client on a TLS listener and a client that does not trust the
 * certificate all fail with a clear error within a bound instead of hanging.
 */
class SecureClusterIT {

    /** Well under the clients' own timeouts (60 s here), so a pass means "failed fast", not "timed out". */
    private static final Duration FAIL_FAST = Duration.ofSeconds(15);
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(60);

    private static EmbeddedKafkaCluster cluster;

    @BeforeAll
    static void start() {
        // tag::security[]
        ClusterSecurity security = ClusterSecurity.builder()
                .listeners(SecurityProtocol.SASL_SSL, SecurityProtocol.SSL, SecurityProtocol.SASL_PLAINTEXT)
                .user("alice", "alice-secret")
                .user("bob", "bob=secret\\with\\backslashes")
                .build();
        cluster = EmbeddedKafkaCluster.builder().brokers(1).topology(EmbeddedKafkaCluster.Topology.DEDICATED_CONTROLLER)
                .security(security)
                .start();
        // clients: cluster.clientConfig(SecurityProtocol.SSL, null), cluster.clientConfig(SecurityProtocol.SASL_SSL, "bob");
        // cluster.adminConfig(), cluster.admin() and KafkaTestUtils use SASL_SSL as alice
        // end::security[]
    }

    @AfterAll
    static void close() {
        cluster.close();
    }

    @Test
    void theDefaultsUseTheFirstSecuredListenerSoTheTestUtilsWorkUnchanged() {
        assertThat(cluster.bootstrapServers()).isEqualTo(cluster.bootstrapServers(SecurityProtocol.SASL_SSL))
                .isNotEqualTo(cluster.bootstrapServers(SecurityProtocol.PLAINTEXT));
        assertThat(cluster.adminConfig()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512").containsKey("ssl.truststore.location");
        assertThat(cluster.adminConfig().get("sasl.jaas.config").toString()).contains("username=\"alice\"");
        assertThat(cluster.security().orElseThrow().toString()).doesNotContain("alice-secret");

        String topic = KafkaTestUtils.uniqueTopic("secure-utils");
        cluster.createTopic(topic, 2, 1);
        KafkaTestUtils.produce(cluster, topic, 20, i -> new ProducerRecord<>(topic, "k" + i, "v" + i));
        assertThat(KafkaTestUtils.consume(cluster, topic, 20, Duration.ofSeconds(30))).extracting(ConsumerRecord::value)
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, 20).mapToObj(i -> "v" + i).toList());
        assertThatThrownBy(() -> cluster.clientConfig(SecurityProtocol.SASL_SSL, "mallory"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("no user 'mallory'; the users are [alice, bob]");
    }

    @Test
    void rightCredentialsProduceAndConsumeOnEverySecuredListener() throws Exception {
        for (SecurityProtocol protocol : List.of(SecurityProtocol.SASL_SSL, SecurityProtocol.SSL,
                SecurityProtocol.SASL_PLAINTEXT)) {
            // bob's password has '=' and backslashes: the JAAS value must be escaped
            Map<String, Object> config = cluster.clientConfig(protocol, "bob");
            String topic = KafkaTestUtils.uniqueTopic("secure-" + protocol.name.toLowerCase());
            cluster.createTopic(topic, 1, 1);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig(config))) {
                for (int i = 0; i < 5; i++) {
                    producer.send(new ProducerRecord<>(topic, "k", protocol + "-" + i)).get(30, TimeUnit.SECONDS);
                }
            }
            String group = KafkaTestUtils.uniqueGroup("secure");
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig(config, group))) {
                consumer.subscribe(List.of(topic));
                List<String> values = new java.util.ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (values.size() < 5 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                        values.add(r.value());
                    }
                }
                consumer.commitSync();
                assertThat(values).as(protocol.name).containsExactly(protocol + "-0", protocol + "-1",
                        protocol + "-2", protocol + "-3", protocol + "-4");
            }
            assertThat(KafkaTestUtils.committedOffsets(cluster, group).values()).as(protocol.name).containsExactly(5L);
        }
    }

    @Test
    void aWrongPasswordFailsWithSaslAuthenticationExceptionForProducerConsumerAndAdmin() {
        Map<String, Object> wrong = cluster.clientConfig(SecurityProtocol.SASL_SSL, "alice");
        wrong.put("sasl.jaas.config", wrong.get("sasl.jaas.config").toString().replace("alice-secret", "wrong"));
        String topic = KafkaTestUtils.uniqueTopic("wrong-password");
        cluster.createTopic(topic, 1, 1);

        Throwable produced = failsFast(() -> {
            Map<String, Object> config = producerConfig(wrong);
            config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) CLIENT_TIMEOUT.toMillis());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
                producer.send(new ProducerRecord<>(topic, "k", "v")).get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
        assertThat(produced).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(SaslAuthenticationException.class)
                .hasMessageContaining("invalid credentials with SASL mechanism SCRAM-SHA-512");

        Throwable polled = failsFast(() -> {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                    consumerConfig(wrong, KafkaTestUtils.uniqueGroup("wrong-password")))) {
                consumer.subscribe(List.of(topic));
                consumer.poll(CLIENT_TIMEOUT);
            }
        });
        assertThat(polled).isInstanceOf(SaslAuthenticationException.class)
                .hasMessageContaining("invalid credentials with SASL mechanism SCRAM-SHA-512");

        Throwable described = failsFast(() -> {
            try (Admin admin = Admin.create(adminConfig(wrong, CLIENT_TIMEOUT))) {
                admin.describeCluster().clusterId().get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
        assertThat(described).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(SaslAuthenticationException.class)
                .hasMessageContaining("invalid credentials with SASL mechanism SCRAM-SHA-512");
    }

    @Test
    void aPlaintextClientCannotUseTheTlsListenersAndGivesUpWithinItsTimeout() {
        for (SecurityProtocol protocol : List.of(SecurityProtocol.SSL, SecurityProtocol.SASL_SSL)) {
            Map<String, Object> plaintext = new java.util.HashMap<>();
            plaintext.put("bootstrap.servers", cluster.bootstrapServers(protocol));
            // the broker drops the connection at the first non-TLS byte; the client sees a disconnect, retries,
            // and ends with its own timeout: no error more specific reaches it
            Throwable described = failsFast(() -> {
                try (Admin admin = Admin.create(adminConfig(plaintext, Duration.ofSeconds(3)))) {
                    admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
                }
            });
            assertThat(described).as(protocol.name).isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(TimeoutException.class);
        }
    }

    @Test
    void aTlsClientThatDoesNotTrustTheCertificateFailsTheHandshake() {
        Map<String, Object> untrusting = cluster.clientConfig(SecurityProtocol.SSL, null);
        untrusting.keySet().removeIf(k -> k.startsWith("ssl.truststore."));
        Throwable described = failsFast(() -> {
            try (Admin admin = Admin.create(adminConfig(untrusting, CLIENT_TIMEOUT))) {
                admin.describeCluster().clusterId().get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
        assertThat(described).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(SslAuthenticationException.class).hasMessageContaining("SSL handshake failed")
                .hasRootCauseMessage("unable to find valid certification path to requested target");
    }

    private static Throwable failsFast(FailFast.Action action) {
        return FailFast.failsFast(FAIL_FAST, action);
    }

    private static Map<String, Object> producerConfig(Map<String, Object> security) {
        Map<String, Object> config = new java.util.HashMap<>(security);
        config.put("key.serializer", org.apache.kafka.common.serialization.StringSerializer.class);
        config.put("value.serializer", org.apache.kafka.common.serialization.StringSerializer.class);
        config.put("acks", "all");
        return config;
    }

    private static Map<String, Object> consumerConfig(Map<String, Object> security, String group) {
        Map<String, Object> config = new java.util.HashMap<>(security);
        config.put("key.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class);
        config.put("value.deserializer", org.apache.kafka.common.serialization.StringDeserializer.class);
        config.put("group.id", group);
        config.put("auto.offset.reset", "earliest");
        config.put("enable.auto.commit", false);
        return config;
    }

    private static Map<String, Object> adminConfig(Map<String, Object> security, Duration timeout) {
        Map<String, Object> config = new java.util.HashMap<>(security);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
        return config;
    }
}
