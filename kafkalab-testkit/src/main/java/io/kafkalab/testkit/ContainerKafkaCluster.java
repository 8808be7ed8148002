package io.kafkalab.testkit;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports.Binding;
import io.kafkalab.testkit.internal.BrokerDefaults;
import io.kafkalab.testkit.internal.LazyAdmin;
import io.kafkalab.testkit.internal.Ports;
import io.kafkalab.testkit.internal.Wait;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.internals.AppInfoParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;

/**
 * A Kafka cluster of N broker containers (each broker and controller, as in {@code docker/compose.cluster.yml})
 * on a Testcontainers network, from the official {@code apache/kafka} image at the project's Kafka version. The
 * same {@link KafkaCluster} operations as the in-JVM cluster, plus a real network partition:
 * {@link #disconnectBroker(int)} cuts a broker off the network, {@link #reconnectBroker(int)} heals it.
 *
 * <p>Each broker's client port is published on 127.0.0.1 under the same number it has inside its container,
 * so the advertised address stays valid when a broker is stopped and started again. Needs a Docker engine:
 * {@link #dockerAvailable()} says whether one answers.
 *
 * <p>Thread safe. {@link #close()} removes the containers and the network.
 */
public final class ContainerKafkaCluster implements KafkaCluster {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerKafkaCluster.class);
    private static final int INTERNAL_PORT = 19092;
    private static final int CONTROLLER_PORT = 29093;

    /** The image used unless another is given: the official one at the Kafka version on the class path. */
    public static final String DEFAULT_IMAGE = "apache/kafka:" + AppInfoParser.getVersion();

    private final Network network;
    private final Map<Integer, GenericContainer<?>> nodes = new LinkedHashMap<>();
    private final Map<Integer, Integer> ports = new LinkedHashMap<>();
    private final Map<Integer, Boolean> running = new HashMap<>();
    private final String bootstrapServers;
    private final Duration startupTimeout;
    private final LazyAdmin admin = new LazyAdmin(this::adminConfig, "kafkalab-container-admin",
            "the cluster is closed");

    private ContainerKafkaCluster(Builder b) {
        this.startupTimeout = b.startupTimeout;
        this.network = Network.newNetwork();
        List<Integer> hostPorts = Ports.free(b.brokers);
        String clusterId = Uuid.randomUuid().toString();
        String voters = IntStream.rangeClosed(1, b.brokers)
                .mapToObj(i -> i + "@kafka-" + i + ":" + CONTROLLER_PORT).collect(Collectors.joining(","));
        for (int id = 1; id <= b.brokers; id++) {
            int port = hostPorts.get(id - 1);
            ports.put(id, port);
            Map<String, String> env = new LinkedHashMap<>();
            env.put("CLUSTER_ID", clusterId);
            env.put("KAFKA_NODE_ID", String.valueOf(id));
            env.put("KAFKA_PROCESS_ROLES", "broker,controller");
            env.put("KAFKA_CONTROLLER_QUORUM_VOTERS", voters);
            env.put("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER");
            env.put("KAFKA_INTER_BROKER_LISTENER_NAME", "INTERNAL");
            env.put("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT");
            env.put("KAFKA_LISTENERS", "INTERNAL://:" + INTERNAL_PORT + ",EXTERNAL://:" + port + ",CONTROLLER://:"
                    + CONTROLLER_PORT);
            env.put("KAFKA_ADVERTISED_LISTENERS", "INTERNAL://kafka-" + id + ":" + INTERNAL_PORT
                    + ",EXTERNAL://127.0.0.1:" + port);
            BrokerDefaults.forBrokers(b.brokers).forEach((k, v) -> env.put(envName(k), v));
            env.put("KAFKA_HEAP_OPTS", "-Xmx512m");
            b.brokerProperties.forEach((k, v) -> env.put(envName(k), v));
            GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(b.image))
                    .withNetwork(network)
                    .withNetworkAliases("kafka-" + id)
                    .withEnv(env)
                    .withCreateContainerCmdModifier(cmd -> {
                        cmd.withExposedPorts(ExposedPort.tcp(port));
                        cmd.getHostConfig().withPortBindings(new PortBinding(Binding.bindIpAndPort("127.0.0.1", port),
                                ExposedPort.tcp(port)));
                    })
                    .waitingFor(org.testcontainers.containers.wait.strategy.Wait
                            .forLogMessage(".*Kafka Server started.*\\n", 1)
                            .withStartupTimeout(b.startupTimeout));
            nodes.put(id, container);
        }
        this.bootstrapServers = ports.values().stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    }

    /** @return a builder: 3 brokers, {@link #DEFAULT_IMAGE}, 2 minute startup bound */
    public static Builder builder() {
        return new Builder();
    }

    /** @return whether a Docker engine answers (Testcontainers' own check) */
    public static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private ContainerKafkaCluster startNodes() {
        long begin = System.nanoTime();
        try {
            // KRaft voters wait for a majority: start every container at once
            Startables.deepStart(nodes.values()).get(startupTimeout.toMillis(), TimeUnit.MILLISECONDS);
            nodes.keySet().forEach(id -> running.put(id, true));
            Wait.until(() -> await(admin().describeCluster().nodes(), "describe cluster").size() == nodes.size(),
                    startupTimeout, () -> nodes.size() + " brokers to register");
        } catch (Exception e) {
            close();
            throw new KafkaClusterException("the container cluster did not start within " + startupTimeout.toMillis()
                    + " ms: " + e, e);
        }
        LOG.info("Container Kafka cluster up in {} ms: {} brokers, bootstrap.servers={}",
                (System.nanoTime() - begin) / 1_000_000, nodes.size(), bootstrapServers);
        return this;
    }

    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public List<Integer> brokerIds() {
        return List.copyOf(nodes.keySet());
    }

    @Override
    public synchronized List<Integer> runningBrokerIds() {
        return nodes.keySet().stream().filter(id -> running.getOrDefault(id, false)).toList();
    }

    @Override
    public List<BrokerStatus> status() {
        OptionalInt leader = activeControllerId();
        List<Integer> up = runningBrokerIds();
        return nodes.keySet().stream().map(id -> new BrokerStatus(id, Set.of("broker", "controller"),
                "127.0.0.1:" + ports.get(id), up.contains(id), leader.isPresent() && leader.getAsInt() == id)).toList();
    }

    @Override
    public void stopBroker(int brokerId) {
        GenericContainer<?> c = node(brokerId);
        synchronized (this) {
            if (!running.getOrDefault(brokerId, false)) {
                throw new IllegalStateException("broker " + brokerId + " is already stopped");
            }
            running.put(brokerId, false);
        }
        docker().stopContainerCmd(c.getContainerId()).withTimeout(30).exec();
        LOG.info("broker {} (container {}) stopped", brokerId, c.getContainerId().substring(0, 12));
    }

    @Override
    public void startBroker(int brokerId) {
        GenericContainer<?> c = node(brokerId);
        synchronized (this) {
            if (running.getOrDefault(brokerId, false)) {
                throw new IllegalStateException("broker " + brokerId + " is already running");
            }
        }
        docker().startContainerCmd(c.getContainerId()).exec();
        Wait.until(() -> await(admin().describeCluster().nodes(), "describe cluster").stream()
                .map(Node::id).anyMatch(id -> id == brokerId), startupTimeout, () -> "broker " + brokerId + " to rejoin");
        synchronized (this) {
            running.put(brokerId, true);
        }
    }

    /**
     * Cuts a broker off the cluster's network: it can reach no other broker and no client can reach it, a real
     * partition. The broker keeps running.
     *
     * @param brokerId the broker
     */
    public void disconnectBroker(int brokerId) {
        docker().disconnectFromNetworkCmd().withNetworkId(network.getId())
                .withContainerId(node(brokerId).getContainerId()).withForce(true).exec();
        LOG.info("broker {} disconnected from the network", brokerId);
    }

    /**
     * Connects a broker cut off by {@link #disconnectBroker(int)} again, under its network alias.
     *
     * @param brokerId the broker
     */
    public void reconnectBroker(int brokerId) {
        docker().connectToNetworkCmd().withNetworkId(network.getId())
                .withContainerId(node(brokerId).getContainerId())
                .withContainerNetwork(new ContainerNetwork().withAliases("kafka-" + brokerId)).exec();
        LOG.info("broker {} reconnected to the network", brokerId);
    }

    @Override
    public Map<String, Object> adminConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return config;
    }

    @Override
    public Admin admin() {
        return admin.get();
    }

    @Override
    public void close() {
        if (!admin.close()) {
            return;
        }
        for (GenericContainer<?> c : nodes.values()) {
            try {
                c.stop();
            } catch (RuntimeException e) {
                LOG.warn("removing a broker container failed: {}", e.toString());
            }
        }
        try {
            network.close();
        } catch (RuntimeException e) {
            LOG.warn("removing the network failed: {}", e.toString());
        }
    }

    private GenericContainer<?> node(int brokerId) {
        GenericContainer<?> c = nodes.get(brokerId);
        if (c == null) {
            throw new IllegalArgumentException("no broker with id " + brokerId + "; brokers are " + brokerIds());
        }
        return c;
    }

    private static DockerClient docker() {
        return DockerClientFactory.instance().client();
    }

    /** {@code log.retention.ms} becomes {@code KAFKA_LOG_RETENTION_MS}, as the image reads it back. */
    static String envName(String property) {
        return "KAFKA_" + property.replace("_", "__").replace("-", "___").replace('.', '_').toUpperCase(Locale.ROOT);
    }

    /** Settings of a {@link ContainerKafkaCluster}. Not thread safe. */
    public static final class Builder {
        private int brokers = 3;
        private String image = System.getProperty("kafkalab.kafka.image", DEFAULT_IMAGE);
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();
        private Duration startupTimeout = Duration.ofMinutes(2);

        private Builder() {
        }

        /**
         * @param brokers number of brokers, 1 to 9; default 3
         * @return this
         */
        public Builder brokers(int brokers) {
            if (brokers < 1 || brokers > 9) {
                throw new IllegalArgumentException("brokers must be between 1 and 9, but was " + brokers);
            }
            this.brokers = brokers;
            return this;
        }

        /**
         * @param image the Kafka image; default {@link #DEFAULT_IMAGE}, or the system property
         *              {@code kafkalab.kafka.image}
         * @return this
         */
        public Builder image(String image) {
            this.image = Objects.requireNonNull(image, "image");
            return this;
        }

        /**
         * @param key   a broker config key, passed as the image's {@code KAFKA_*} variable
         * @param value its value
         * @return this
         */
        public Builder brokerProperty(String key, String value) {
            brokerProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * @param timeout bound on starting the cluster or one broker; default 2 minutes
         * @return this
         */
        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Starts every broker container and waits until all have registered.
         *
         * @return the running cluster; close it when done
         * @throws KafkaClusterException when it does not start in time (what started is removed again)
         */
        public ContainerKafkaCluster start() {
            return new ContainerKafkaCluster(this).startNodes();
        }
    }

    @Override
    public String toString() {
        return "ContainerKafkaCluster[" + bootstrapServers + "]";
    }
}
