package io.kafkalab.testkit;

import io.kafkalab.testkit.internal.Arguments;
import io.kafkalab.testkit.internal.BrokerDefaults;
import io.kafkalab.testkit.internal.DataDirectories;
import io.kafkalab.testkit.internal.EmbeddedNode;
import io.kafkalab.testkit.internal.InternalTopics;
import io.kafkalab.testkit.internal.LazyAdmin;
import io.kafkalab.testkit.internal.Ports;
import io.kafkalab.testkit.internal.SecuredNodes;
import io.kafkalab.testkit.internal.TlsFiles;
import io.kafkalab.testkit.internal.Wait;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.utils.internals.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka cluster in this JVM: KRaft nodes run from Kafka's own broker code
 * ({@code kafka.server.KafkaRaftServer}), every listener on 127.0.0.1.
 *
 * <p>Two shapes, chosen with {@link Builder#topology(Topology)}:
 * <ul>
 *   <li>{@link Topology#COMBINED} (default): every node is broker and controller, as in the lab's
 *       docker-compose. Stopping a node also stops one controller voter; three nodes keep a quorum with
 *       one down. Closing takes about 5 s, because the last controller waits out Kafka's graceful Raft
 *       shutdown without a quorum.</li>
 *   <li>{@link Topology#DEDICATED_CONTROLLER}: one controller node (id 3000) plus N brokers (ids 0..N-1).
 *       Stopping a broker never touches the quorum, and closing takes well under a second: the choice
 *       for tests.</li>
 * </ul>
 *
 * <p>Defaults suit tests: internal topics replicated {@code min(3, brokers)},
 * {@code group.initial.rebalance.delay.ms=0}, a 2 MiB log cleaner buffer, a 2 s broker session timeout
 * so a restarted broker rejoins in about two seconds, 5 partitions for {@code __consumer_offsets}. Any
 * of them can be overridden with {@link Builder#brokerProperty(String, String)}.
 *
 * <p><b>Security.</b> Without {@link Builder#security(ClusterSecurity)} every listener is PLAINTEXT. With it,
 * each broker also offers the SASL_PLAINTEXT, SSL or SASL_SSL listeners it names (SCRAM-SHA-512 users,
 * a certificate generated at start): {@link #bootstrapServers()} and {@link #adminConfig()} then point at
 * the first of them, authenticated as the first user, so {@link KafkaTestUtils} and {@link #admin()} work
 * unchanged; {@link #clientConfig(SecurityProtocol, String)} gives the settings of any listener and user.
 * Inter-broker and controller traffic stays PLAINTEXT; see {@link ClusterSecurity}. With
 * {@link ClusterSecurity.Builder#authorizer()} the nodes run Kafka's {@code StandardAuthorizer} and the
 * cluster's ACLs exist before {@code start()} returns.
 *
 * <p>The cluster never prints to stdout; the brokers log through SLF4J at whatever level the
 * application's binding sets (the kafkalab examples and tests send them to a file at WARN).
 * While any embedded cluster is open, Kafka's {@code Exit.exit}/{@code Exit.halt} are intercepted so that
 * a fatal broker fault is logged and fails that broker instead of killing the JVM: the procedures of
 * {@code org.apache.kafka.common.utils.internals.Exit}, through which the 4.4 broker ends its process (the class
 * was {@code org.apache.kafka.common.utils.internals.Exit} before Kafka 4.4; it is internal to Kafka, with no public
 * replacement).
 *
 * <p>Thread safe. Start, stop and close are bounded by the builder's timeouts.
 *
 * <pre>{@code
 * try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.builder().brokers(3).start()) {
 *     cluster.createTopic("topic", 3, 2);
 *     // clients use cluster.bootstrapServers()
 * }
 * }</pre>
 */
public final class EmbeddedKafkaCluster implements KafkaCluster {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);

    /** Node id of the controller in {@link Topology#DEDICATED_CONTROLLER} mode. */
    public static final int DEDICATED_CONTROLLER_ID = 3000;
    /** Brokers by default. */
    public static final int DEFAULT_BROKERS = 3;
    /** Bound on starting the cluster or one broker, by default. */
    public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);
    /** Bound on stopping one node, by default. */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    private static final AtomicInteger OPEN_CLUSTERS = new AtomicInteger();

    /** How controllers and brokers are laid out on the nodes. */
    public enum Topology {
        /** Every node runs {@code process.roles=broker,controller}; all nodes are quorum voters. */
        COMBINED,
        /** One controller-only node ({@value #DEDICATED_CONTROLLER_ID}) and broker-only nodes. */
        DEDICATED_CONTROLLER
    }

    private final Builder spec;
    private final Path dataDir;
    private final boolean deleteDataDir;
    private final String clusterId;
    private final Map<Integer, EmbeddedNode> nodes;
    private final String bootstrapServers;
    /** Client listeners: protocol to bootstrap servers, the default one first. */
    private final Map<SecurityProtocol, String> bootstrapByProtocol = new LinkedHashMap<>();
    private final TlsFiles tls;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final LazyAdmin admin = new LazyAdmin(this::adminConfig, "kafkalab-cluster-admin", "the cluster is closed");

    private EmbeddedKafkaCluster(Builder spec) {
        this.spec = spec;
        try {
            this.deleteDataDir = spec.dataDirectory == null;
            this.dataDir = deleteDataDir ? Files.createTempDirectory("kafkalab-cluster-")
                    : Files.createDirectories(spec.dataDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the cluster's data directory", e);
        }
        this.clusterId = DataDirectories.existingClusterId(dataDir).orElseGet(() -> Uuid.randomUuid().toString());
        this.tls = spec.security != null && spec.security.usesTls() ? TlsFiles.generate(dataDir.resolve("tls")) : null;
        this.nodes = layout();
        this.bootstrapServers = bootstrapByProtocol.values().iterator().next();
    }

    /** @return a builder with the defaults described in the class documentation */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the cluster id the storage was formatted with */
    public String clusterId() {
        return clusterId;
    }

    /** @return the directory that holds every node's data */
    public Path dataDirectory() {
        return dataDir;
    }

    /** @return the topology this cluster runs */
    public Topology topology() {
        return spec.topology;
    }

    @Override
    public Duration operationTimeout() {
        return spec.operationTimeout;
    }

    private EmbeddedKafkaCluster startNodes() {
        long begin = System.nanoTime();
        long[] phases = new long[4];
        if (OPEN_CLUSTERS.getAndIncrement() == 0) {
            interceptExit();
        }
        try {
            List<String> formatArgs = SecuredNodes.formatArgs(spec.security);
            nodes.values().forEach(n -> n.formatIfNeeded(clusterId, formatArgs));
            phases[0] = System.nanoTime();
            // Combined and controller nodes block in startup() until a majority of voters is up:
            // one thread per node.
            runOnePerNode(nodes.values().stream().toList(), "start", spec.startupTimeout, n -> {
                n.start();
                return true;
            });
            phases[1] = System.nanoTime();
            awaitBrokersRegistered(brokerIds());
            phases[2] = System.nanoTime();
            createAcls();
            if (spec.createInternalTopics) {
                String first = bootstrapServers(SecurityProtocol.PLAINTEXT).split(",")[0];
                int colon = first.lastIndexOf(':');
                InternalTopics.create(first.substring(0, colon), Integer.parseInt(first.substring(colon + 1)),
                        spec.startupTimeout);
            }
            phases[3] = System.nanoTime();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("Embedded Kafka cluster {} up in {} ms (format {}, start {}, registration {}, ACLs and internal topics"
                + " {}): {} ({}), bootstrap.servers={}", clusterId, (System.nanoTime() - begin) / 1_000_000,
                (phases[0] - begin) / 1_000_000, (phases[1] - phases[0]) / 1_000_000, (phases[2] - phases[1]) / 1_000_000,
                (phases[3] - phases[2]) / 1_000_000, nodes.keySet(), spec.topology, bootstrapServers);
        return this;
    }

    /**
     * @return with {@link Builder#security(ClusterSecurity)}, the first secured listener of every broker;
     *     else the PLAINTEXT one
     */
    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /**
     * @param protocol PLAINTEXT (always there), or a protocol of {@link ClusterSecurity#listeners()}
     * @return that listener of every broker, in id order
     * @throws IllegalArgumentException when the cluster has no such listener
     */
    public String bootstrapServers(SecurityProtocol protocol) {
        return SecuredNodes.bootstrapServers(bootstrapByProtocol, protocol);
    }

    /** @return the security settings the cluster started with, if any */
    public java.util.Optional<ClusterSecurity> security() {
        return java.util.Optional.ofNullable(spec.security);
    }

    /**
     * Everything a client needs for one listener: {@code bootstrap.servers}, {@code security.protocol}, for
     * SASL {@code sasl.mechanism=SCRAM-SHA-512} and a {@code sasl.jaas.config} with the user's credentials, for
     * TLS the {@code ssl.truststore.*} settings of the generated trust store.
     *
     * @param protocol a listener of this cluster (see {@link #bootstrapServers(SecurityProtocol)})
     * @param user     for SASL, a user of {@link ClusterSecurity#users()}; ignored otherwise, may then be null
     * @return a fresh mutable map
     * @throws IllegalArgumentException when there is no such listener or user
     */
    public Map<String, Object> clientConfig(SecurityProtocol protocol, String user) {
        return SecuredNodes.clientConfig(spec.security, tls, protocol, user, bootstrapServers(protocol));
    }

    @Override
    public List<Integer> brokerIds() {
        return nodes.values().stream().filter(EmbeddedNode::isBroker).map(EmbeddedNode::id).toList();
    }

    @Override
    public List<Integer> runningBrokerIds() {
        return nodes.values().stream().filter(n -> n.isBroker() && n.running()).map(EmbeddedNode::id).toList();
    }

    @Override
    public List<BrokerStatus> status() {
        OptionalInt leader = nodes.values().stream().anyMatch(n -> n.running() && n.roles().contains("controller"))
                ? activeControllerId() : OptionalInt.empty();
        return nodes.values().stream()
                .map(n -> new BrokerStatus(n.id(), n.roles(), n.listener(), n.running(),
                        leader.isPresent() && leader.getAsInt() == n.id()))
                .toList();
    }

    @Override
    public void stopBroker(int brokerId) {
        EmbeddedNode node = broker(brokerId);
        if (!node.running()) {
            throw new IllegalStateException("broker " + brokerId + " is already stopped");
        }
        if (node.roles().contains("controller")) {
            long votersUp = nodes.values().stream()
                    .filter(n -> n.roles().contains("controller") && n.running()).count();
            long voters = nodes.values().stream().filter(n -> n.roles().contains("controller")).count();
            if (votersUp - 1 <= voters / 2) {
                LOG.warn("stopping node {} leaves {} of {} controller voters: the metadata quorum is lost",
                        brokerId, votersUp - 1, voters);
            }
        }
        long begin = System.nanoTime();
        if (!node.stop(spec.shutdownTimeout)) {
            throw new KafkaClusterException("broker " + brokerId + " did not stop within "
                    + spec.shutdownTimeout.toMillis() + " ms");
        }
        LOG.info("broker {} stopped in {} ms", brokerId, (System.nanoTime() - begin) / 1_000_000);
    }

    @Override
    public void startBroker(int brokerId) {
        EmbeddedNode node = broker(brokerId);
        if (node.running()) {
            throw new IllegalStateException("broker " + brokerId + " is already running");
        }
        long begin = System.nanoTime();
        runOnePerNode(List.of(node), "start", spec.startupTimeout, n -> {
            n.start();
            return true;
        });
        awaitBrokersRegistered(List.of(brokerId));
        LOG.info("broker {} started in {} ms", brokerId, (System.nanoTime() - begin) / 1_000_000);
    }

    /**
     * @return {@code bootstrap.servers}; with security, {@link #clientConfig(SecurityProtocol, String)} of the first
     *     secured listener and the first user
     */
    @Override
    public Map<String, Object> adminConfig() {
        return SecuredNodes.adminConfig(spec.security, tls, bootstrapServers, bootstrapByProtocol);
    }

    @Override
    public Admin admin() {
        return admin.get();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long begin = System.nanoTime();
        admin.close();
        List<EmbeddedNode> running = nodes.values().stream().filter(EmbeddedNode::running).toList();
        if (spec.topology == Topology.DEDICATED_CONTROLLER) {
            // brokers first, while the controller can still process their controlled shutdown
            stopAll(running.stream().filter(n -> !n.roles().contains("controller")).toList());
            stopAll(running.stream().filter(n -> n.roles().contains("controller")).toList());
        } else {
            stopAll(running);
        }
        if (deleteDataDir) {
            DataDirectories.deleteRecursively(dataDir);
        }
        if (OPEN_CLUSTERS.decrementAndGet() == 0) {
            Exit.resetExitProcedure();
            Exit.resetHaltProcedure();
        }
        LOG.info("Embedded Kafka cluster {} closed in {} ms", clusterId, (System.nanoTime() - begin) / 1_000_000);
    }

    private void stopAll(List<EmbeddedNode> toStop) {
        if (toStop.isEmpty()) {
            return;
        }
        // each node's stop is bounded on its own; the extra second covers thread hand-off
        runOnePerNode(toStop, "stop", spec.shutdownTimeout.plusSeconds(1), n -> n.stop(spec.shutdownTimeout),
                false);
    }

    private EmbeddedNode broker(int brokerId) {
        EmbeddedNode node = nodes.get(brokerId);
        if (node == null || !node.isBroker()) {
            throw new IllegalArgumentException("no broker with id " + brokerId + "; brokers are " + brokerIds());
        }
        return node;
    }

    private void awaitBrokersRegistered(List<Integer> ids) {
        Wait.until(() -> {
            Set<Integer> registered = await(admin().describeCluster().nodes(), "describe cluster")
                    .stream().map(Node::id).collect(Collectors.toSet());
            return registered.containsAll(ids);
        }, spec.startupTimeout, () -> "brokers " + ids + " to register");
    }

    private interface NodeAction {
        boolean apply(EmbeddedNode node) throws Exception;
    }

    private void runOnePerNode(List<EmbeddedNode> targets, String what, Duration timeout, NodeAction action) {
        runOnePerNode(targets, what, timeout, action, true);
    }

    private void runOnePerNode(List<EmbeddedNode> targets, String what, Duration timeout, NodeAction action,
                               boolean failOnError) {
        ExecutorService pool = Executors.newFixedThreadPool(targets.size(), r -> {
            Thread t = new Thread(r, "kafkalab-" + what + "-node");
            t.setDaemon(true);
            return t;
        });
        try {
            Map<EmbeddedNode, CompletableFuture<Boolean>> futures = new LinkedHashMap<>();
            for (EmbeddedNode n : targets) {
                futures.put(n, CompletableFuture.supplyAsync(() -> {
                    try {
                        return action.apply(n);
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new KafkaClusterException(what + " node " + n.id() + " failed", e);
                    }
                }, pool));
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            List<String> failures = new ArrayList<>();
            Throwable firstCause = null;
            for (Map.Entry<EmbeddedNode, CompletableFuture<Boolean>> e : futures.entrySet()) {
                try {
                    long left = Math.max(0, deadline - System.nanoTime());
                    if (!e.getValue().get(left, TimeUnit.NANOSECONDS)) {
                        failures.add("node " + e.getKey().id() + " did not " + what + " within "
                                + timeout.toMillis() + " ms");
                    }
                } catch (TimeoutException ex) {
                    failures.add("node " + e.getKey().id() + " did not " + what + " within "
                            + timeout.toMillis() + " ms");
                } catch (ExecutionException ex) {
                    failures.add("node " + e.getKey().id() + ": " + ex.getCause());
                    firstCause = firstCause == null ? ex.getCause() : firstCause;
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    failures.add("interrupted");
                }
            }
            if (!failures.isEmpty()) {
                if (failOnError) {
                    throw new KafkaClusterException(what + " failed: " + String.join("; ", failures), firstCause);
                }
                LOG.warn("{} failed: {}", what, String.join("; ", failures));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private Map<Integer, EmbeddedNode> layout() {
        int brokers = spec.brokers;
        boolean combined = spec.topology == Topology.COMBINED;
        // client listeners, the default one first (it takes the fixed ports); PLAINTEXT always, between brokers
        Map<SecurityProtocol, List<Integer>> ports = SecuredNodes.listenerPorts(spec.security, spec.firstPort > 0
                ? Stream.iterate(spec.firstPort, p -> p + 1).limit(brokers).toList() : Ports.free(brokers));
        List<SecurityProtocol> protocols = List.copyOf(ports.keySet());
        bootstrapByProtocol.putAll(SecuredNodes.bootstrapServers(ports));
        List<Integer> controllerIds = combined ? Stream.iterate(0, i -> i + 1).limit(brokers).toList()
                : List.of(DEDICATED_CONTROLLER_ID);
        List<Integer> controllerPorts = Ports.free(controllerIds.size());
        String voters = Stream.iterate(0, i -> i + 1).limit(controllerIds.size())
                .map(i -> controllerIds.get(i) + "@127.0.0.1:" + controllerPorts.get(i))
                .collect(Collectors.joining(","));

        Map<Integer, EmbeddedNode> result = new LinkedHashMap<>();
        List<Integer> nodeIds = new ArrayList<>(Stream.iterate(0, i -> i + 1).limit(brokers).toList());
        if (!combined) {
            nodeIds.add(DEDICATED_CONTROLLER_ID);
        }
        for (int id : nodeIds) {
            boolean broker = id < brokers;
            boolean controller = controllerIds.contains(id);
            Map<String, String> p = new LinkedHashMap<>();
            p.put("node.id", String.valueOf(id));
            p.put("process.roles", broker && controller ? "broker,controller" : broker ? "broker" : "controller");
            p.put("controller.quorum.voters", voters);
            p.put("controller.listener.names", "CONTROLLER");
            p.put("listener.security.protocol.map", protocols.stream().map(pr -> pr.name + ":" + pr.name)
                    .collect(Collectors.joining(",")) + ",CONTROLLER:PLAINTEXT");
            List<String> listeners = new ArrayList<>();
            String listener;
            if (broker) {
                listener = "127.0.0.1:" + ports.get(protocols.get(0)).get(id);
                for (SecurityProtocol protocol : protocols) {
                    listeners.add(protocol.name + "://127.0.0.1:" + ports.get(protocol).get(id));
                }
                p.put("advertised.listeners", String.join(",", listeners));
                p.put("inter.broker.listener.name", "PLAINTEXT");
                p.putAll(SecuredNodes.listenerProperties(spec.security, tls));
            } else {
                listener = "127.0.0.1:" + controllerPorts.get(controllerIds.indexOf(id));
            }
            if (controller) {
                listeners.add("CONTROLLER://127.0.0.1:" + controllerPorts.get(controllerIds.indexOf(id)));
            }
            p.put("listeners", String.join(",", listeners));
            p.put("log.dirs", dataDir.resolve("node-" + id).toString());
            p.putAll(SecuredNodes.authorizerProperties(spec.security));
            p.putAll(BrokerDefaults.forBrokers(brokers));
            p.putAll(spec.brokerProperties);
            Set<String> roles = broker && controller ? Set.of("broker", "controller")
                    : broker ? Set.of("broker") : Set.of("controller");
            result.put(id, new EmbeddedNode(id, roles, dataDir.resolve("node-" + id), p, listener));
        }
        return result;
    }

    /** Creates the ACLs of {@link ClusterSecurity#acls()}, as the first (super) user. */
    private void createAcls() {
        if (spec.security == null || spec.security.acls().isEmpty()) {
            return;
        }
        await(admin().createAcls(spec.security.acls()).all(), "create " + spec.security.acls().size() + " ACLs");
        LOG.info("created ACLs {}", spec.security.acls());
    }

    private static void interceptExit() {
        Exit.setExitProcedure((code, message) -> {
            LOG.error("a broker asked the JVM to exit({}): {}; ignored by the embedded cluster", code, message);
            throw new IllegalStateException("embedded broker requested exit(" + code + "): " + message);
        });
        Exit.setHaltProcedure((code, message) -> {
            LOG.error("a broker asked the JVM to halt({}): {}; ignored by the embedded cluster", code, message);
            throw new IllegalStateException("embedded broker requested halt(" + code + "): " + message);
        });
    }

    /**
     * Settings for an {@link EmbeddedKafkaCluster}. Validates each value when it is set and names the field
     * and the bad value. Not thread safe; the started cluster keeps its own copy.
     */
    public static final class Builder {
        private int brokers = DEFAULT_BROKERS;
        private Topology topology = Topology.COMBINED;
        private int firstPort;
        private Path dataDirectory;
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();
        private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
        private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
        private Duration operationTimeout = Duration.ofSeconds(30);
        private ClusterSecurity security;
        private boolean createInternalTopics;

        private Builder() {
        }

        /**
         * Creates Kafka's internal topics for consumer groups ({@code __consumer_offsets}) and share groups
         * ({@code __share_group_state}) before {@link #start()} returns, as the cluster's first group would (about
         * 0.2 s). Without it the first share group waits for its state topic: Kafka's state persister meets it
         * while it is being created and retries after a fixed 1 s, so the group's first member gets partitions about
         * 1.5 s later. Off by default: a cluster that runs no group is left as Kafka starts it.
         *
         * @return this
         */
        public Builder createInternalTopics() {
            this.createInternalTopics = true;
            return this;
        }

        /**
         * Adds secured client listeners (SASL_PLAINTEXT, SSL, SASL_SSL with SCRAM-SHA-512 users); see
         * {@link ClusterSecurity}. With {@link #port(int)}, the first secured listener takes the fixed ports.
         *
         * @param security the listeners and users
         * @return this
         */
        public Builder security(ClusterSecurity security) {
            this.security = Objects.requireNonNull(security, "security");
            return this;
        }

        /**
         * @param brokers number of brokers, 1 to 32; default 3
         * @return this
         */
        public Builder brokers(int brokers) {
            if (brokers < 1 || brokers > 32) {
                throw new IllegalArgumentException("brokers must be between 1 and 32, but was " + brokers);
            }
            this.brokers = brokers;
            return this;
        }

        /**
         * @param topology how controllers are placed; default {@link Topology#COMBINED}
         * @return this
         */
        public Builder topology(Topology topology) {
            this.topology = Objects.requireNonNull(topology, "topology");
            return this;
        }

        /**
         * Fixed client ports: broker {@code i} listens on {@code firstPort + i}. Controller listeners always
         * take free ports.
         *
         * @param firstPort 1024 to 65535, or 0 for free ports (the default)
         * @return this
         */
        public Builder port(int firstPort) {
            if (firstPort != 0 && (firstPort < 1024 || firstPort > 65535)) {
                throw new IllegalArgumentException("port must be 0 or between 1024 and 65535, but was " + firstPort);
            }
            this.firstPort = firstPort;
            return this;
        }

        /**
         * Keeps data in this directory, across restarts of the cluster: it is not deleted on close, and a
         * formatted directory is reused with its cluster id. By default data goes to a temporary directory
         * that {@link #close()} deletes.
         *
         * @param directory the directory; created when missing
         * @return this
         */
        public Builder dataDirectory(Path directory) {
            this.dataDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * Sets a server property on every node, overriding the defaults.
         *
         * @param key   a Kafka broker config key
         * @param value its value
         * @return this
         */
        public Builder brokerProperty(String key, String value) {
            brokerProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Sets several server properties on every node.
         *
         * @param properties key to value
         * @return this
         */
        public Builder brokerProperties(Map<String, String> properties) {
            properties.forEach(this::brokerProperty);
            return this;
        }

        /**
         * @param timeout bound on starting the cluster, or one broker; default 60 s
         * @return this
         */
        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = Arguments.positive(timeout, "startupTimeout");
            return this;
        }

        /**
         * @param timeout bound on stopping one node, after which it is abandoned; default 30 s
         * @return this
         */
        public Builder shutdownTimeout(Duration timeout) {
            this.shutdownTimeout = Arguments.positive(timeout, "shutdownTimeout");
            return this;
        }

        /**
         * @param timeout bound on each admin operation of {@link KafkaCluster}; default 30 s
         * @return this
         */
        public Builder operationTimeout(Duration timeout) {
            this.operationTimeout = Arguments.positive(timeout, "operationTimeout");
            return this;
        }

        /**
         * Starts the cluster and blocks until every broker is registered and serves clients.
         *
         * @return the running cluster; close it when done
         * @throws KafkaClusterException when it does not start within the startup timeout (everything
         *                               started so far is stopped again)
         */
        public EmbeddedKafkaCluster start() {
            Builder copy = new Builder();
            copy.brokers = brokers;
            copy.topology = topology;
            copy.firstPort = firstPort;
            copy.dataDirectory = dataDirectory;
            copy.brokerProperties.putAll(brokerProperties);
            copy.startupTimeout = startupTimeout;
            copy.shutdownTimeout = shutdownTimeout;
            copy.operationTimeout = operationTimeout;
            copy.security = security;
            copy.createInternalTopics = createInternalTopics;
            return new EmbeddedKafkaCluster(copy).startNodes();
        }
    }
}
