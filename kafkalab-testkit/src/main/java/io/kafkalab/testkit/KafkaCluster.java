package io.kafkalab.testkit;

import io.kafkalab.testkit.internal.Wait;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * A running Kafka cluster that a test or a demo talks to: where it is, which brokers it has, and the
 * operations a test needs (topics, stopping and starting a broker).
 *
 * <p>{@link EmbeddedKafkaCluster} runs the brokers in this JVM; other implementations may run them
 * elsewhere. Every method that talks to the cluster is bounded by {@link #operationTimeout()} and throws
 * {@link KafkaClusterException} when that passes.
 *
 * <p>Implementations are thread safe. Closing is idempotent.
 *
 * <pre>{@code
 * try (KafkaCluster cluster = EmbeddedKafkaCluster.builder().brokers(3).start()) {
 *     cluster.createTopic("topic", 3, 2);
 *     System.out.println(cluster.describeTopic("topic"));
 *     cluster.stopBroker(1);   // leaders move; produce and consume still work
 *     cluster.startBroker(1);  // the broker rejoins and catches up
 * }
 * }</pre>
 */
public interface KafkaCluster extends AutoCloseable {

    /** @return the {@code bootstrap.servers} value for clients: every broker, in id order */
    String bootstrapServers();

    /** @return the ids of all brokers, running or stopped, in ascending order */
    List<Integer> brokerIds();

    /** @return the ids of the brokers that run now, in ascending order */
    List<Integer> runningBrokerIds();

    /**
     * A snapshot of every node (brokers and dedicated controllers), with which one is the active
     * controller when the quorum answers within {@link #operationTimeout()}.
     *
     * @return one status per node, in id order
     */
    List<BrokerStatus> status();

    /**
     * Stops one broker the way {@code docker stop} would: a controlled shutdown, so leaders move first.
     * Blocks until it has stopped, at most the cluster's shutdown bound.
     *
     * @param brokerId a broker id from {@link #brokerIds()}
     * @throws IllegalArgumentException when there is no such broker
     * @throws IllegalStateException    when it is already stopped
     * @throws KafkaClusterException    when it did not stop in time
     */
    void stopBroker(int brokerId);

    /**
     * Starts a stopped broker again with the same configuration and data. Blocks until it has registered
     * with the controller and serves clients, at most the cluster's startup bound. Its replicas rejoin the
     * ISR once they have caught up, which {@link #awaitFullyReplicated(String)} waits for.
     *
     * @param brokerId a broker id from {@link #brokerIds()}
     * @throws IllegalArgumentException when there is no such broker
     * @throws IllegalStateException    when it is already running
     * @throws KafkaClusterException    when it did not start in time
     */
    void startBroker(int brokerId);

    /**
     * The settings an {@link Admin} (or any other client) needs to reach this cluster. Add your own and
     * pass the map to the client; the map is a fresh mutable copy on each call.
     *
     * @return at least {@code bootstrap.servers}
     */
    Map<String, Object> adminConfig();

    /**
     * An admin client that the cluster owns and closes in {@link #close()}. Do not close it yourself.
     *
     * @return the shared admin client (thread safe)
     */
    Admin admin();

    /** @return the bound on each admin operation this interface performs; 30 s unless configured */
    default Duration operationTimeout() {
        return Duration.ofSeconds(30);
    }

    /**
     * Creates a topic and waits until every partition has a leader.
     *
     * @see #createTopic(String, int, int, Map)
     */
    default void createTopic(String name, int partitions, int replicationFactor) {
        createTopic(name, partitions, replicationFactor, Map.of());
    }

    /**
     * Creates a topic and waits until every partition has a leader.
     *
     * @param name              topic name
     * @param partitions        number of partitions, at least 1
     * @param replicationFactor replicas per partition, at least 1 and at most the number of brokers
     * @param configs           topic configs such as {@code min.insync.replicas}; may be empty
     * @throws IllegalArgumentException when the replication factor exceeds the brokers or a count is &lt; 1
     * @throws KafkaClusterException    when Kafka refuses it (the topic exists, a config is invalid) or
     *                                  the leaders are not elected in time
     */
    default void createTopic(String name, int partitions, int replicationFactor, Map<String, String> configs) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(configs, "configs");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, but was " + partitions);
        }
        if (replicationFactor < 1 || replicationFactor > brokerIds().size()) {
            throw new IllegalArgumentException("replicationFactor must be between 1 and the number of brokers ("
                    + brokerIds().size() + "), but was " + replicationFactor);
        }
        NewTopic topic = new NewTopic(name, partitions, (short) replicationFactor).configs(configs);
        await(admin().createTopics(List.of(topic)).all(), "create topic " + name);
        Wait.until(() -> {
            TopicDescription d;
            try {
                // partitions and leaders only: a user may create and describe a topic without DESCRIBE_CONFIGS
                d = await(admin().describeTopics(List.of(name)).allTopicNames(), "describe topic " + name).get(name);
            } catch (KafkaClusterException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    return false; // the broker asked has not heard of it yet (ZooKeeper mode tells each on its own)
                }
                throw e;
            }
            return d.partitions().size() == partitions
                    && d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
        }, operationTimeout(), () -> "leaders of every partition of topic " + name);
    }

    /**
     * Describes a topic: partitions, leaders, replicas, ISR and the configs set on it.
     *
     * <p>Right after {@link #createTopic} returns, the broker the admin client asks may not have heard of the topic
     * yet (each broker learns it from the metadata log on its own; a loaded CI run saw "This server does not host
     * this topic-partition" from the describe that followed a create). So an unknown-topic answer is asked again for
     * up to 10 s (or {@link #operationTimeout()} when shorter): a topic that does not exist fails after that bound.
     *
     * @param name topic name
     * @return the topic as Kafka sees it now
     * @throws KafkaClusterException when it does not exist or the cluster does not answer in time
     */
    default TopicInfo describeTopic(String name) {
        Objects.requireNonNull(name, "name");
        TopicDescription d = askAgainWhileUnknownTopic(() -> admin().describeTopics(List.of(name)).allTopicNames(),
                "describe topic " + name).get(name);
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, name);
        Config config = askAgainWhileUnknownTopic(() -> admin().describeConfigs(List.of(resource)).all(),
                "describe configs of " + name).get(resource);
        Map<String, String> overrides = config.entries().stream()
                .filter(e -> e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)
                .collect(Collectors.toMap(ConfigEntry::name, ConfigEntry::value));
        List<TopicInfo.Partition> partitions = d.partitions().stream()
                .map(p -> new TopicInfo.Partition(p.partition(),
                        p.leader() == null || p.leader().isEmpty() ? -1 : p.leader().id(),
                        p.replicas().stream().map(n -> n.id()).toList(),
                        p.isr().stream().map(n -> n.id()).toList()))
                .toList();
        return new TopicInfo(d.name(), d.topicId().toString(), partitions, overrides);
    }

    /**
     * Awaits an admin call about one topic, asking again while the answer is "unknown topic or partition", for up to
     * 10 s or {@link #operationTimeout()} when shorter: the broker asked may not have seen a topic that another broker
     * already knows.
     */
    private <T> T askAgainWhileUnknownTopic(Supplier<KafkaFuture<T>> call, String what) {
        long deadline = System.nanoTime() + Math.min(operationTimeout().toNanos(), TimeUnit.SECONDS.toNanos(10));
        while (true) {
            try {
                return await(call.get(), what);
            } catch (KafkaClusterException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() - deadline > 0) {
                    throw e;
                }
            }
            try {
                TimeUnit.MILLISECONDS.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaClusterException("interrupted: " + what, e);
            }
        }
    }

    /**
     * Waits until every partition of a topic has a leader and all its replicas back in sync, for example
     * after {@link #startBroker(int)}.
     *
     * @param name topic name
     * @return the topic once fully replicated
     * @throws KafkaClusterException when that does not happen within {@link #operationTimeout()}
     */
    default TopicInfo awaitFullyReplicated(String name) {
        Wait.until(() -> describeTopic(name).fullyReplicated(), operationTimeout(),
                () -> "every replica of topic " + name + " in sync");
        return describeTopic(name);
    }

    /** @return the names of the topics, internal ones excluded */
    default Set<String> listTopics() {
        return await(admin().listTopics().names(), "list topics");
    }

    /**
     * Deletes a topic.
     *
     * @param name topic name
     * @throws KafkaClusterException when it does not exist or the cluster does not answer in time
     */
    default void deleteTopic(String name) {
        await(admin().deleteTopics(List.of(name)).all(), "delete topic " + name);
    }

    /**
     * Asks the metadata quorum which node leads it.
     *
     * @return the id of the active controller, or empty when the quorum does not answer in time
     */
    default OptionalInt activeControllerId() {
        try {
            return OptionalInt.of(admin().describeMetadataQuorum().quorumInfo()
                    .get(operationTimeout().toMillis(), TimeUnit.MILLISECONDS).leaderId());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalInt.empty();
        } catch (ExecutionException | TimeoutException e) {
            return OptionalInt.empty();
        }
    }

    /**
     * Waits for an admin result within {@link #operationTimeout()}.
     *
     * @param future the admin result
     * @param what   what it is, for the error message
     * @param <T>    result type
     * @return the result
     * @throws KafkaClusterException when it fails or the bound passes
     */
    default <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(operationTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaClusterException("interrupted: " + what, e);
        } catch (ExecutionException e) {
            throw new KafkaClusterException(what + " failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaClusterException(what + " did not complete within " + operationTimeout().toMillis()
                    + " ms", e);
        }
    }

    /**
     * Stops every node and releases ports, threads and (unless kept on purpose) data. Idempotent. Bounded:
     * a node that does not stop in time is abandoned with a warning rather than hanging the caller.
     */
    @Override
    void close();

    /**
     * Connects to a cluster that runs elsewhere. Nothing is contacted until the first operation.
     *
     * @param bootstrapServers its bootstrap servers
     * @return the connection; close it when done
     */
    static KafkaCluster connect(String bootstrapServers) {
        return new ExternalKafkaCluster(bootstrapServers, Map.of());
    }

    /**
     * Connects to a cluster that runs elsewhere, with extra client settings (security, timeouts).
     *
     * @param bootstrapServers its bootstrap servers
     * @param clientConfig     extra admin client settings
     * @return the connection; close it when done
     */
    static KafkaCluster connect(String bootstrapServers, Map<String, ?> clientConfig) {
        return new ExternalKafkaCluster(bootstrapServers, clientConfig);
    }
}
