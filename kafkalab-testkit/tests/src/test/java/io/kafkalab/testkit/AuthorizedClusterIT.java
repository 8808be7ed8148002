package io.kafkalab.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One cluster with the StandardAuthorizer: alice may write and read the {@code orders} topics (a prefixed ACL)
 * and her groups, bob may only read {@code orders} in his group, carol may do nothing. Each gets exactly that;
 * the denials are Kafka's typed exceptions, well within the clients' own timeouts.
 */
class AuthorizedClusterIT {

    /** Well under the clients' timeouts (60 s here), so a pass means "denied at once", not "timed out". */
    private static final Duration FAIL_FAST = Duration.ofSeconds(15);
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(60);

    private static EmbeddedKafkaCluster cluster;

    @BeforeAll
    static void start() {
        // tag::acls[]
        ClusterSecurity security = ClusterSecurity.builder()
                .listeners(SecurityProtocol.SASL_PLAINTEXT)
                .user("admin", "admin-secret") // the first user: a super user, behind cluster.admin()
                .user("alice", "alice-secret")
                .user("bob", "bob-secret")
                .user("carol", "carol-secret")
                .authorizer() // StandardAuthorizer, allow.everyone.if.no.acl.found=false
                .allow("alice", ResourceType.TOPIC, PatternType.PREFIXED, "orders",
                        AclOperation.WRITE, AclOperation.READ, AclOperation.DESCRIBE)
                .allow("alice", ResourceType.GROUP, PatternType.PREFIXED, "alice-", AclOperation.READ)
                .allow("bob", ResourceType.TOPIC, PatternType.LITERAL, "orders",
                        AclOperation.READ, AclOperation.DESCRIBE)
                .allow("bob", ResourceType.GROUP, PatternType.LITERAL, "bob-group", AclOperation.READ)
                .build();
        cluster = EmbeddedKafkaCluster.builder().brokers(1).topology(EmbeddedKafkaCluster.Topology.DEDICATED_CONTROLLER)
                .security(security)
                .start();
        // end::acls[]
        cluster.createTopic("orders", 1, 1);
        cluster.createTopic("orders-eu", 1, 1);
    }

    @AfterAll
    static void close() {
        cluster.close();
    }

    @Test
    void aliceWritesAndReadsTheOrdersTopicsInHerGroup() throws Exception {
        produce("alice", "orders", "from-alice");
        produce("alice", "orders-eu", "from-alice-eu"); // covered by the prefixed ACL
        assertThat(consume("alice", "alice-orders", "orders-eu", 1)).containsExactly("from-alice-eu");
    }

    @Test
    void bobReadsButMayNotWrite() throws Exception {
        produce("alice", "orders", "for-bob");
        assertThat(consume("bob", "bob-group", "orders", 1)).contains("for-bob");

        // the idempotent producer (the default) needs WRITE on some topic to get a producer id: bob has none.
        // The denial comes through the send's future, or, when InitProducerId failed before send() reached the
        // transaction manager, from send() itself as a KafkaException ("in an error state") caused by it.
        Throwable produced = failsFast(() -> produce("bob", "orders", "from-bob", true));
        assertThat(produced).isInstanceOfAny(ExecutionException.class, KafkaException.class).cause()
                .isInstanceOf(ClusterAuthorizationException.class);
        Throwable plain = failsFast(() -> produce("bob", "orders", "from-bob", false));
        assertThat(plain).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(TopicAuthorizationException.class);
        assertThat(((TopicAuthorizationException) plain.getCause()).unauthorizedTopics()).containsExactly("orders");

        Throwable otherGroup = failsFast(() -> consume("bob", "alice-orders", "orders", 1));
        assertThat(otherGroup).isInstanceOf(GroupAuthorizationException.class);
        assertThat(((GroupAuthorizationException) otherGroup).groupId()).isEqualTo("alice-orders");

        Throwable otherTopic = failsFast(() -> consume("bob", "bob-group", "orders-eu", 1));
        assertThat(otherTopic).isInstanceOf(TopicAuthorizationException.class);
        assertThat(((TopicAuthorizationException) otherTopic).unauthorizedTopics()).containsExactly("orders-eu");
    }

    @Test
    void carolMayDoNothingUntilAnAclIsAddedThroughTheAdmin() throws Exception {
        Throwable produced = failsFast(() -> produce("carol", "orders", "from-carol"));
        assertThat(produced).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(TopicAuthorizationException.class);
        // the topic is checked (metadata) before the group
        Throwable consumed = failsFast(() -> consume("carol", "carol-group", "orders", 1));
        assertThat(consumed).isInstanceOf(TopicAuthorizationException.class);
        Throwable assigned = failsFast(() -> {
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig("carol", null))) {
                consumer.assign(List.of(new TopicPartition("orders", 0)));
                consumer.seekToBeginning(consumer.assignment());
                consumer.poll(CLIENT_TIMEOUT);
            }
        });
        assertThat(assigned).isInstanceOf(TopicAuthorizationException.class);

        String topic = KafkaTestUtils.uniqueTopic("carol");
        cluster.createTopic(topic, 1, 1);
        // no ACL names this topic at all: denied too (allow.everyone.if.no.acl.found=false)
        Throwable noAcl = failsFast(() -> produce("carol", topic, "before", false));
        assertThat(noAcl).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(TopicAuthorizationException.class);
        cluster.admin().createAcls(List.of(new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic,
                PatternType.LITERAL), new AccessControlEntry("User:carol", "*", AclOperation.WRITE,
                AclPermissionType.ALLOW)))).all().get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> produce("carol", topic, "now-allowed"));
        assertThat(KafkaTestUtils.consume(cluster, topic, 1, Duration.ofSeconds(15)))
                .extracting(ConsumerRecord::value).contains("now-allowed");
    }

    private static void produce(String user, String topic, String value) throws Exception {
        produce(user, topic, value, true);
    }

    private static void produce(String user, String topic, String value, boolean idempotent) throws Exception {
        Map<String, Object> config = new HashMap<>(cluster.clientConfig(SecurityProtocol.SASL_PLAINTEXT, user));
        config.put("key.serializer", StringSerializer.class);
        config.put("value.serializer", StringSerializer.class);
        config.put("max.block.ms", (int) CLIENT_TIMEOUT.toMillis());
        config.put("enable.idempotence", idempotent);
        if (!idempotent) {
            config.put("acks", "1");
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
            producer.send(new ProducerRecord<>(topic, "k", value)).get(CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private static List<String> consume(String user, String group, String topic, int count) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig(user, group))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    values.add(r.value());
                }
            }
        }
        return values;
    }

    private static Map<String, Object> consumerConfig(String user, String group) {
        Map<String, Object> config = new HashMap<>(cluster.clientConfig(SecurityProtocol.SASL_PLAINTEXT, user));
        config.put("key.deserializer", StringDeserializer.class);
        config.put("value.deserializer", StringDeserializer.class);
        config.put("auto.offset.reset", "earliest");
        if (group != null) {
            config.put("group.id", group);
        }
        return config;
    }

    private static Throwable failsFast(FailFast.Action action) {
        return FailFast.failsFast(FAIL_FAST, action);
    }
}
