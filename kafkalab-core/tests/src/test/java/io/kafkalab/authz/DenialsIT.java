package io.kafkalab.authz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkalab.NotAuthorizedException;
import io.kafkalab.consumer.ConsumerRunner;
import io.kafkalab.consumer.ConsumerRunnerListener;
import io.kafkalab.consumer.DeadLetterPolicy;
import io.kafkalab.consumer.ErrorPolicy;
import io.kafkalab.consumer.RecordProcessingException;
import io.kafkalab.producer.Producers;
import io.kafkalab.producer.SendSummary;
import io.kafkalab.producer.SendTracker;
import io.kafkalab.testkit.ClusterSecurity;
import io.kafkalab.testkit.EmbeddedKafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What kafkalab's producers and runners do when the cluster's authorizer says no: a typed
 * {@link NotAuthorizedException} naming the resource and the operation, at once, never a retry loop. One secured
 * cluster for the class: alice may read and write the {@code orders} topics and read her groups, bob may only read
 * {@code orders} in {@code bob-group}, carol may only read her group.
 */
class DenialsIT {

    /** Well under the clients' timeouts, so a pass means "stopped at the denial", not "gave up after a timeout". */
    private static final Duration FAIL_FAST = Duration.ofSeconds(15);

    private static EmbeddedKafkaCluster cluster;

    @BeforeAll
    static void start() {
        cluster = EmbeddedKafkaCluster.builder().brokers(1).topology(EmbeddedKafkaCluster.Topology.DEDICATED_CONTROLLER)
                .security(ClusterSecurity.builder().listeners(SecurityProtocol.SASL_PLAINTEXT)
                        .user("admin", "admin-secret").user("alice", "a").user("bob", "b").user("carol", "c")
                        .allow("alice", ResourceType.TOPIC, PatternType.PREFIXED, "orders",
                                AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE)
                        .allow("alice", ResourceType.GROUP, PatternType.PREFIXED, "alice-", AclOperation.READ)
                        .allow("bob", ResourceType.TOPIC, PatternType.LITERAL, "orders", AclOperation.READ,
                                AclOperation.DESCRIBE)
                        .allow("bob", ResourceType.GROUP, PatternType.LITERAL, "bob-group", AclOperation.READ)
                        .allow("carol", ResourceType.GROUP, PatternType.LITERAL, "carol-group", AclOperation.READ)
                        .build())
                .start();
        cluster.createTopic("orders", 1, 1);
        KafkaTestUtils.produce(cluster, "orders", 3, i -> new ProducerRecord<>("orders", "k" + i, "v" + i));
    }

    @AfterAll
    static void close() {
        cluster.close();
    }

    @Test
    void aDeniedSendFailsItsFutureAndTheSummaryWithTheTopicNamed() throws Exception {
        for (boolean idempotent : List.of(true, false)) {
            Map<String, Object> config = client("bob");
            config.put("enable.idempotence", idempotent);
            config.put("acks", idempotent ? "all" : "1");
            SendTracker tracker = new SendTracker();
            try (Producer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(),
                    new StringSerializer())) {
                CompletableFuture<RecordMetadata> sent = Producers.send(producer, new ProducerRecord<>("orders", "k", "v"));
                CompletableFuture<RecordMetadata> tracked = tracker.send(producer,
                        new ProducerRecord<>("orders", "k", "v"));
                NotAuthorizedException denied = deniedWithin(sent);
                assertThat(denied.operation()).isEqualTo(AclOperation.WRITE);
                assertThat(denied.resourceType()).isEqualTo(ResourceType.TOPIC);
                assertThat(denied.resourceName()).isEqualTo("orders");
                assertThat(denied).hasMessage("not authorized to WRITE topic 'orders'")
                        .hasCauseInstanceOf(idempotent ? ClusterAuthorizationException.class
                                : TopicAuthorizationException.class);
                deniedWithin(tracked);
                SendSummary summary = tracker.await(FAIL_FAST);
                assertThat(summary.failed()).isEqualTo(1);
                assertThat(summary.toString()).contains("not authorized to WRITE topic 'orders'");
            }
        }
    }

    @Test
    void aTransactionalProducerDeniedItsTransactionalIdFailsAtCreationWithTheIdNamed() {
        Map<String, Object> config = client("bob");
        config.put("transactional.id", "bobs-transactions");
        long begin = System.nanoTime();
        Throwable denied = org.assertj.core.api.Assertions.catchThrowable(() -> Producers.create(
                io.kafkalab.producer.DeliveryGuarantee.EXACTLY_ONCE, config, new StringSerializer(),
                new StringSerializer()).close());
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - begin)).isLessThan(FAIL_FAST);
        assertThat(denied).isInstanceOf(NotAuthorizedException.class)
                .hasMessage("not authorized to WRITE transactional id 'bobs-transactions'")
                .hasCauseInstanceOf(org.apache.kafka.common.errors.TransactionalIdAuthorizationException.class);
        assertThat(((NotAuthorizedException) denied).resourceType()).isEqualTo(ResourceType.TRANSACTIONAL_ID);
    }

    @Test
    void aRunnerDeniedItsTopicStopsWithTheTopicAndOperation() throws Exception {
        try (Run run = new Run("carol", "carol-group", "orders", ErrorPolicy.stop())) {
            NotAuthorizedException denied = run.awaitDenied();
            assertThat(denied).hasMessage("not authorized to READ topic 'orders'");
            assertThat(denied.resourceType()).isEqualTo(ResourceType.TOPIC);
            assertThat(denied.operation()).isEqualTo(AclOperation.READ);
            assertThat(run.runner.metrics().denied()).as("counted as a denial").isEqualTo(1);
        }
    }

    @Test
    void aRunnerDeniedItsTopicWorksOnceTheAclIsAddedAndItIsStartedAgain() throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("carol-late");
        cluster.createTopic(topic, 1, 1);
        KafkaTestUtils.produce(cluster, topic, 3, i -> new ProducerRecord<>(topic, "k" + i, "v" + i));
        try (Run run = new Run("carol", "carol-group", topic, ErrorPolicy.stop())) {
            assertThat(run.awaitDenied().resourceName()).isEqualTo(topic);
        }
        List<AclBinding> acls = List.of(AclOperation.READ, AclOperation.DESCRIBE).stream()
                .map(op -> new AclBinding(new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
                        new AccessControlEntry("User:carol", "*", op, AclPermissionType.ALLOW)))
                .toList();
        cluster.admin().createAcls(acls).all().get(30, TimeUnit.SECONDS);
        // the broker answers DescribeAcls from its own authorizer: once it lists them, it enforces them
        await().atMost(Duration.ofSeconds(15)).until(() -> cluster.admin().describeAcls(new AclBindingFilter(
                new ResourcePatternFilter(ResourceType.TOPIC, topic, PatternType.LITERAL), AccessControlEntryFilter.ANY))
                .values().get(30, TimeUnit.SECONDS).size() == 2);
        try (Run again = new Run("carol", "carol-group", topic, ErrorPolicy.stop())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> again.runner.metrics().recordsProcessed() == 3);
            assertThat(again.runner.failure()).isNull();
            assertThat(again.runner.metrics().denied()).isZero();
        }
    }

    @Test
    void aRunnerDeniedItsGroupStopsWithTheGroupAndOperation() throws Exception {
        try (Run run = new Run("bob", "alice-not-bobs", "orders", ErrorPolicy.stop())) {
            NotAuthorizedException denied = run.awaitDenied();
            assertThat(denied).hasMessage("not authorized to READ group 'alice-not-bobs'");
            assertThat(denied.resourceType()).isEqualTo(ResourceType.GROUP);
            assertThat(denied.resourceName()).isEqualTo("alice-not-bobs");
            assertThat(run.runner.metrics().denied()).as("counted as a denial").isEqualTo(1);
        }
    }

    @Test
    void aShareRunnerDeniedItsTopicStopsWithTheTopicAndOperationAndCountsIt() throws Exception {
        Map<String, Object> config = client("carol");
        config.put("group.id", "carol-group"); // she may read her group, not the topic
        List<Throwable> stopped = new CopyOnWriteArrayList<>();
        io.kafkalab.consumer.share.ShareConsumerRunner<String, String> runner = io.kafkalab.consumer.share
                .ShareConsumerRunner.builder(config, new StringDeserializer(), new StringDeserializer())
                .topics("orders").name("carol-share")
                .listener(new io.kafkalab.consumer.share.ShareConsumerRunnerListener() {
                    @Override
                    public void onStopped(Throwable cause) {
                        if (cause != null) {
                            stopped.add(cause);
                        }
                    }
                })
                .records(r -> { }).start();
        try {
            assertThat(runner.awaitTermination(FAIL_FAST)).as("stopped within %s", FAIL_FAST).isTrue();
            assertThat(runner.failure()).isInstanceOf(NotAuthorizedException.class)
                    .hasMessage("not authorized to READ topic 'orders'");
            assertThat(stopped).containsExactly(runner.failure());
            assertThat(runner.metrics().denied()).as("counted as a denial").isEqualTo(1);
        } finally {
            runner.close(Duration.ofSeconds(10));
        }
    }

    @Test
    void aDeniedDeadLetterTopicStopsTheRunnerAndTheRecordIsNotCommitted() throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("orders-dlt");
        cluster.createTopic(topic, 1, 1);
        cluster.createTopic("dead-" + topic, 1, 1);
        KafkaTestUtils.produce(cluster, topic, 1, i -> new ProducerRecord<>(topic, "k", "fail-me"));
        String group = KafkaTestUtils.uniqueGroup("alice-dlt");
        // alice may write orders*, not dead-*
        try (Producer<byte[], byte[]> dlt = new KafkaProducer<>(client("alice"), new ByteArraySerializer(),
                new ByteArraySerializer());
             Run run = new Run("alice", group, topic, DeadLetterPolicy.builder(dlt)
                     .topicName(t -> "dead-" + t).sendTimeout(Duration.ofSeconds(30)).build())) {
            assertThat(run.runner.awaitTermination(FAIL_FAST)).as("stopped within %s", FAIL_FAST).isTrue();
            assertThat(run.runner.failure()).isInstanceOf(RecordProcessingException.class)
                    .hasMessageContaining(topic + "-0@0").cause().isInstanceOf(NotAuthorizedException.class)
                    .hasMessage("not authorized to WRITE topic 'dead-" + topic + "'");
            await().atMost(Duration.ofSeconds(5)).until(() -> !run.stopped.isEmpty());
            assertThat(run.stopped).containsExactly(run.runner.failure());
            assertThat(run.runner.metrics().denied()).as("counted as a denial").isEqualTo(1);
            assertThat(NotAuthorizedException.in(run.runner.failure()).resourceName()).isEqualTo("dead-" + topic);
            assertThat(KafkaTestUtils.committedOffsets(cluster, group).get(new TopicPartition(topic, 0))).isNull();
        }
    }

    private static NotAuthorizedException deniedWithin(CompletableFuture<RecordMetadata> future) throws Exception {
        try {
            future.get(FAIL_FAST.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("the send must be denied");
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(NotAuthorizedException.class);
            return (NotAuthorizedException) e.getCause();
        }
    }

    private static Map<String, Object> client(String user) {
        return new HashMap<>(cluster.clientConfig(SecurityProtocol.SASL_PLAINTEXT, user));
    }

    /** A runner as {@code user} that fails every record whose value is {@code fail-me}. */
    private static final class Run implements AutoCloseable {
        final List<Throwable> stopped = new CopyOnWriteArrayList<>();
        final ConsumerRunner<String, String> runner;

        Run(String user, String group, String topic, ErrorPolicy policy) {
            Map<String, Object> config = client(user);
            config.put("group.id", group);
            config.put("auto.offset.reset", "earliest");
            runner = ConsumerRunner.builder(config, new StringDeserializer(), new StringDeserializer())
                    .topics(topic)
                    .errorPolicy(policy)
                    .listener(new ConsumerRunnerListener() {
                        @Override
                        public void onStopped(Throwable cause) {
                            if (cause != null) {
                                stopped.add(cause);
                            }
                        }
                    })
                    .records(r -> {
                        if (r.value().equals("fail-me")) {
                            throw new IllegalStateException("cannot handle " + r.offset());
                        }
                    }).start();
        }

        @Override
        public void close() {
            runner.close(); // a no-op once it stopped; bounded otherwise
        }

        NotAuthorizedException awaitDenied() throws InterruptedException {
            assertThat(runner.awaitTermination(FAIL_FAST)).as("stopped within %s", FAIL_FAST).isTrue();
            assertThat(runner.failure()).isInstanceOf(NotAuthorizedException.class);
            await().atMost(Duration.ofSeconds(5)).until(() -> !stopped.isEmpty());
            assertThat(stopped).containsExactly(runner.failure());
            return (NotAuthorizedException) runner.failure();
        }
    }
}
