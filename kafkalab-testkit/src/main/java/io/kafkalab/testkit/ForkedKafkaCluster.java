package io.kafkalab.testkit;

import io.kafkalab.testkit.internal.Arguments;
import io.kafkalab.testkit.internal.BrokerDefaults;
import io.kafkalab.testkit.internal.ClassDataSharing;
import io.kafkalab.testkit.internal.DataDirectories;
import io.kafkalab.testkit.internal.ForkedNode;
import io.kafkalab.testkit.internal.KafkaDistributions;
import io.kafkalab.testkit.internal.LazyAdmin;
import io.kafkalab.testkit.internal.ParentWatchdogMain;
import io.kafkalab.testkit.internal.Ports;
import io.kafkalab.testkit.internal.SecuredNodes;
import io.kafkalab.testkit.internal.TlsFiles;
import io.kafkalab.testkit.internal.ZooKeeperMode;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.utils.internals.AppInfoParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka cluster whose every node is a child JVM of its own, started from Kafka's stable entry points the way
 * Kafka's scripts do: {@code kafka.tools.StorageTool format} ({@code kafka-storage.sh}) and then
 * {@code kafka.Kafka <server.properties>} ({@code kafka-server-start.sh}). So a broker can fail the way real ones do,
 * and the broker can be any Kafka version whose jars the build resolved, independent of the clients on this class
 * path:
 * <ul>
 *   <li>{@link #stopBroker(int)}: SIGTERM, Kafka's shutdown hook does a controlled shutdown;</li>
 *   <li>{@link #killBroker(int)}: SIGKILL, no shutdown at all (a crash, a power cut of one machine);</li>
 *   <li>{@link #pauseBroker(int)} / {@link #resumeBroker(int)}: SIGSTOP / SIGCONT, a hung broker or a long GC
 *       pause: its sockets stay open but it answers nothing, and once the broker session timeout passes the
 *       controller fences it;</li>
 *   <li>{@link #startBroker(int)}: a new JVM on the same configuration and log directories (recovering its logs
 *       after a kill).</li>
 * </ul>
 * The {@code *Node} methods do the same to any node, controllers included.
 *
 * <p>Topology: N brokers (ids 0..N-1) and one or more dedicated KRaft controllers (ids 3000...), all on 127.0.0.1
 * with free ports, with the test-friendly broker defaults of {@link EmbeddedKafkaCluster}. Each node's standard
 * output and error go to {@code node-<id>.log} in the log directory, never to this JVM's output.
 *
 * <p><b>No orphans.</b> Each child reads its standard input, a pipe this JVM holds open and never writes to, and
 * halts when it ends: when this JVM exits or is killed (SIGKILL too), every child it started ends within moments.
 * {@link #close()} stops them (brokers first, then controllers). One limit: a child that is paused
 * ({@link #pauseBroker(int)}) when this JVM is killed stays stopped until it gets SIGCONT or SIGKILL.
 *
 * <p><b>ZooKeeper mode.</b> {@link Builder#zookeeper()} runs the world before Kafka 4: one ZooKeeper server (node
 * {@link #ZOOKEEPER_ID}, {@code QuorumPeerMain} on a standalone {@code zoo.cfg}, as {@code zkServer.sh start} runs it)
 * and Kafka 3.x brokers on it ({@code zookeeper.connect}; no controllers, no storage format). The {@code *Node}
 * methods stop, kill, pause, resume and start the ZooKeeper node too; {@link #zooKeeperConnect()} says where it is.
 *
 * <p><b>Versions.</b> {@link Builder#version(String)} picks the broker jars of that version from the directories in
 * the system property {@code kafkalab.kafka.distributions} (the testkit's build fills
 * {@code brokers/kafka-*}{@code /target/lib}); {@link Builder#classPath(Path)} takes any directory of jars, such as
 * the {@code libs/} of an unpacked Kafka download. By default: the version of the clients on this class path.
 *
 * <p>Thread safe. Every start, stop and signal is bounded by the builder's timeouts.
 *
 * <pre>{@code
 * try (ForkedKafkaCluster cluster = ForkedKafkaCluster.builder().brokers(3).version("3.9.1").start()) {
 *     cluster.createTopic("topic", 3, 3, Map.of("min.insync.replicas", "2"));
 *     cluster.killBroker(cluster.describeTopic("topic").partitions().get(0).leader());
 * }
 * }</pre>
 */
public final class ForkedKafkaCluster implements KafkaCluster {

    private static final Logger LOG = LoggerFactory.getLogger(ForkedKafkaCluster.class);

    /** Node id of the first controller; more controllers take the following ids. */
    public static final int FIRST_CONTROLLER_ID = 3000;
    /** Node id of the ZooKeeper server in {@link Builder#zookeeper() ZooKeeper mode}. */
    public static final int ZOOKEEPER_ID = 4000;
    /** The last Kafka release line with ZooKeeper mode, and the version {@link Builder#zookeeper()} defaults to. */
    public static final String LAST_ZOOKEEPER_VERSION = "3.9.1";
    /** JVM options of every child unless {@link Builder#jvmOptions(List)} replaces them: small heap, quick start. */
    public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true");

    /** What a node's process is doing. */
    public enum NodeState {
        /** The process runs. */
        RUNNING,
        /** The process is stopped by SIGSTOP: alive, answering nothing. */
        PAUSED,
        /** No process: not started yet, stopped, killed, or exited on its own ({@link #lastExitCode(int)}). */
        STOPPED
    }

    private final Builder spec;
    private final String version;
    private final Path dataDir;
    private final boolean deleteDataDir;
    /** Formatted with (KRaft); in ZooKeeper mode the brokers' own, read once they are up. */
    private volatile String clusterId;
    private final Map<Integer, ForkedNode> nodes = new LinkedHashMap<>();
    private final String bootstrapServers;
    private final Map<SecurityProtocol, String> bootstrapByProtocol = new LinkedHashMap<>();
    /** The generated key and trust store with a TLS listener, else null. */
    private final TlsFiles tls;
    /** {@code host:port} of ZooKeeper in ZooKeeper mode, else null. */
    private final String zooKeeperConnect;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final LazyAdmin admin = new LazyAdmin(() -> {
        Map<String, Object> config = adminConfig();
        // a paused broker answers nothing (though its kernel still accepts connections): the cluster's own admin gives
        // up on it after 5 s (not 30), and refreshes metadata every second, so that it soon drops a broker the
        // controller fenced rather than asking it again
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        config.put(AdminClientConfig.METADATA_MAX_AGE_CONFIG, 1_000);
        return config;
    }, "kafkalab-forked-admin", "the cluster is closed");

    private ForkedKafkaCluster(Builder spec) {
        this.spec = spec;
        Path lib;
        if (spec.classPath != null) {
            this.version = KafkaDistributions.versionOf(spec.classPath).orElse("unknown");
            lib = spec.classPath;
        } else {
            this.version = spec.version != null ? spec.version
                    : spec.zookeeper ? LAST_ZOOKEEPER_VERSION : AppInfoParser.getVersion();
            lib = spec.version != null || spec.zookeeper ? KafkaDistributions.require(version)
                    : KafkaDistributions.find(version).orElse(null);
        }
        if (spec.zookeeper && !Builder.hasZooKeeperMode(version)) {
            throw new IllegalArgumentException("zookeeper() needs Kafka brokers before 4.0 (Kafka 4 removed"
                    + " ZooKeeper mode), but " + lib + " holds Kafka " + version);
        }
        Path zooKeeperLib = spec.zookeeper ? KafkaDistributions.requireZooKeeper(lib) : null;
        try {
            this.deleteDataDir = spec.dataDirectory == null;
            this.dataDir = deleteDataDir ? Files.createTempDirectory("kafkalab-forked-")
                    : Files.createDirectories(spec.dataDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the cluster's data directory", e);
        }
        this.clusterId = DataDirectories.existingClusterId(dataDir).orElseGet(() -> Uuid.randomUuid().toString());
        Launcher java = launcher(lib);
        int others = spec.zookeeper ? 1 : spec.controllers;
        List<Integer> free = Ports.free(spec.brokers + others);
        List<Integer> brokerPorts = spec.port > 0 ? IntStream.range(0, spec.brokers).mapToObj(i -> spec.port + i)
                .toList() : free.subList(0, spec.brokers);
        List<Integer> controllerPorts = free.subList(spec.brokers, spec.brokers + others);
        // client listeners, the default one first (it takes the fixed ports); PLAINTEXT always, between brokers
        Map<SecurityProtocol, List<Integer>> ports = SecuredNodes.listenerPorts(spec.security, brokerPorts);
        List<SecurityProtocol> protocols = List.copyOf(ports.keySet());
        bootstrapByProtocol.putAll(SecuredNodes.bootstrapServers(ports));
        this.tls = spec.security != null && spec.security.usesTls() ? TlsFiles.generate(dataDir.resolve("tls")) : null;
        this.bootstrapServers = bootstrapByProtocol.get(protocols.get(0));
        Path logs = spec.logDirectory != null ? spec.logDirectory : dataDir.resolve("logs");
        if (spec.zookeeper) {
            this.zooKeeperConnect = "127.0.0.1:" + (spec.zookeeperPort > 0 ? spec.zookeeperPort
                    : controllerPorts.get(0));
            addZooKeeperNodes(zooKeeperLib, brokerPorts, logs, java);
            return;
        }
        this.zooKeeperConnect = null;
        String voters = IntStream.range(0, spec.controllers)
                .mapToObj(i -> (FIRST_CONTROLLER_ID + i) + "@127.0.0.1:" + controllerPorts.get(i))
                .collect(Collectors.joining(","));
        for (int i = 0; i < spec.brokers + spec.controllers; i++) {
            boolean broker = i < spec.brokers;
            int id = broker ? i : FIRST_CONTROLLER_ID + i - spec.brokers;
            String listener = "127.0.0.1:" + (broker ? brokerPorts.get(i) : controllerPorts.get(i - spec.brokers));
            Map<String, String> p = new LinkedHashMap<>();
            p.put("node.id", String.valueOf(id));
            p.put("process.roles", broker ? "broker" : "controller");
            p.put("controller.quorum.voters", voters);
            p.put("controller.listener.names", "CONTROLLER");
            p.put("listener.security.protocol.map", protocols.stream().map(pr -> pr.name + ":" + pr.name)
                    .collect(Collectors.joining(",")) + ",CONTROLLER:PLAINTEXT");
            if (broker) {
                int index = i;
                String all = protocols.stream().map(pr -> pr.name + "://127.0.0.1:" + ports.get(pr).get(index))
                        .collect(Collectors.joining(","));
                p.put("listeners", all);
                p.put("advertised.listeners", all);
                p.put("inter.broker.listener.name", "PLAINTEXT");
                p.putAll(SecuredNodes.listenerProperties(spec.security, tls));
            } else {
                p.put("listeners", "CONTROLLER://" + listener);
            }
            p.putAll(SecuredNodes.authorizerProperties(spec.security));
            Path nodeDir = dataDir.resolve("node-" + id);
            p.put("log.dirs", nodeDir.toString());
            p.putAll(BrokerDefaults.forBrokers(spec.brokers));
            p.putAll(spec.brokerProperties);
            nodes.put(id, new ForkedNode(id, Set.of(broker ? "broker" : "controller"), nodeDir,
                    logs.resolve("node-" + id + ".log"), java.command(), p, listener, java.sharing()));
        }
    }

    /** ZooKeeper mode: the brokers on {@link #zooKeeperConnect}, then the ZooKeeper server on its own class path. */
    private void addZooKeeperNodes(Path zooKeeperLib, List<Integer> brokerPorts, Path logs, Launcher java) {
        for (int id = 0; id < spec.brokers; id++) {
            Path nodeDir = dataDir.resolve("node-" + id);
            String listener = "127.0.0.1:" + brokerPorts.get(id);
            Map<String, String> p = ZooKeeperMode.brokerProperties(id, zooKeeperConnect, listener, nodeDir);
            p.putAll(BrokerDefaults.forBrokers(spec.brokers));
            p.putAll(spec.brokerProperties);
            nodes.put(id, new ForkedNode(id, ForkedNode.Kind.ZOOKEEPER_BROKER, Set.of("broker"), nodeDir,
                    logs.resolve("node-" + id + ".log"), java.command(), p, listener, java.sharing()));
        }
        Path zkDir = dataDir.resolve("node-" + ZOOKEEPER_ID);
        Launcher zooKeeper = launcher(zooKeeperLib);
        int zkPort = Integer.parseInt(zooKeeperConnect.substring(zooKeeperConnect.lastIndexOf(':') + 1));
        nodes.put(ZOOKEEPER_ID, new ForkedNode(ZOOKEEPER_ID, ForkedNode.Kind.ZOOKEEPER, Set.of("zookeeper"), zkDir,
                logs.resolve("node-" + ZOOKEEPER_ID + ".log"), zooKeeper.command(), ZooKeeperMode.zooCfg(zkDir, zkPort),
                zooKeeperConnect, zooKeeper.sharing()));
    }

    /** @return a builder: 3 brokers, 1 controller (KRaft), the clients' Kafka version, free ports */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * How a child JVM starts: the java executable and options up to the main class, and the class data sharing
     * archive of its class path (null for none).
     */
    private record Launcher(List<String> command, ClassDataSharing sharing) {
    }

    /**
     * The java executable and options up to the main class; writes the logging configs and, when there is no class
     * data sharing archive (whose own jar holds it), the watchdog class onto the class path.
     *
     * @param lib the directory of jars the child runs, or null for this JVM's own class path (the default version
     *            without a directory: the broker jars among this JVM's)
     */
    private Launcher launcher(Path lib) {
        ClassDataSharing sharing = lib == null ? null
                : ClassDataSharing.forClassPath(lib, ParentWatchdogMain.class, spec.jvmOptions);
        String classPath = sharing != null ? sharing.classPath()
                : lib != null ? lib.resolve("*").toString() : System.getProperty("java.class.path");
        Path launcher = dataDir.resolve("launcher");
        String watchdog = ParentWatchdogMain.class.getName().replace('.', '/') + ".class";
        try (InputStream in = ParentWatchdogMain.class.getClassLoader().getResourceAsStream(watchdog)) {
            Files.createDirectories(launcher);
            if (sharing == null) {
                // with an archive the watchdog comes from the archive's jar, and this directory is not on the path
                Path target = launcher.resolve(watchdog);
                Files.createDirectories(target.getParent());
                Files.write(target, Objects.requireNonNull(in, watchdog).readAllBytes());
            }
            // Kafka 3.x logs through Log4j 1 (reload4j), 4.x through Log4j 2: one config for each, to stdout,
            // which goes to the node's log file
            Files.writeString(launcher.resolve("log4j.properties"), String.join(System.lineSeparator(),
                    "log4j.rootLogger=INFO, out", "log4j.appender.out=org.apache.log4j.ConsoleAppender",
                    "log4j.appender.out.layout=org.apache.log4j.PatternLayout",
                    "log4j.appender.out.layout.ConversionPattern=[%d] %p %m (%c)%n", ""));
            Files.writeString(launcher.resolve("log4j2.properties"), String.join(System.lineSeparator(),
                    // no Log4j shutdown hook: it would stop logging before Kafka's own hook has shut the node down
                    "status=warn", "shutdownHook=disable", "appender.out.type=Console", "appender.out.name=out",
                    "appender.out.layout.type=PatternLayout", "appender.out.layout.pattern=[%d] %p %m (%c)%n",
                    "rootLogger.level=INFO", "rootLogger.appenderRef.out.ref=out", ""));
            // ZooKeeper 3.9 logs through Logback
            Files.writeString(launcher.resolve("logback.xml"), String.join(System.lineSeparator(),
                    "<configuration>", "  <appender name=\"out\" class=\"ch.qos.logback.core.ConsoleAppender\">",
                    "    <encoder><pattern>[%d] %p %m \\(%c\\)%n</pattern></encoder>", "  </appender>",
                    "  <root level=\"INFO\"><appender-ref ref=\"out\"/></root>", "</configuration>", ""));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the child JVM launcher into " + launcher, e);
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(spec.jvmOptions);
        command.add("-Dlog4j.configuration=" + launcher.resolve("log4j.properties").toUri());
        command.add("-Dlog4j2.configurationFile=" + launcher.resolve("log4j2.properties"));
        command.add("-Dlogback.configurationFile=" + launcher.resolve("logback.xml"));
        command.add("-cp");
        // the archive's class path holds the watchdog in a jar; a directory would rule the archive out
        command.add(sharing != null ? classPath : launcher + File.pathSeparator + classPath);
        return new Launcher(command, sharing);
    }

    private ForkedKafkaCluster startNodes() {
        long begin = System.nanoTime();
        try {
            parallel(List.copyOf(nodes.values()), "format", spec.startupTimeout,
                    n -> n.formatIfNeeded(clusterId, spec.startupTimeout, SecuredNodes.formatArgs(spec.security)));
            long formatted = System.nanoTime();
            // ZooKeeper serves before the brokers start: a broker that cannot reach it within
            // zookeeper.connection.timeout.ms exits
            nodes.values().stream().filter(ForkedNode::isZooKeeper).forEach(this::startAndAwait);
            nodes.values().stream().filter(n -> n.state() == NodeState.STOPPED).forEach(ForkedNode::start);
            awaitBrokers(brokerIds());
            if (spec.security != null && !spec.security.acls().isEmpty()) {
                await(admin().createAcls(spec.security.acls()).all(), "create " + spec.security.acls().size()
                        + " ACLs");
            }
            if (zooKeeperConnect != null) {
                clusterId = await(admin().describeCluster().clusterId(), "cluster id");
            }
            LOG.info("Forked Kafka {} cluster {} up in {} ms (format {} ms): {}, bootstrap.servers={}{}", version,
                    clusterId, (System.nanoTime() - begin) / 1_000_000, (formatted - begin) / 1_000_000,
                    nodes.keySet(), bootstrapServers, zooKeeperConnect().map(z -> ", zookeeper.connect=" + z)
                            .orElse(""));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        return this;
    }

    /** @return the broker version the nodes run ({@code unknown} for a {@link Builder#classPath(Path)} without one) */
    public String version() {
        return version;
    }

    /**
     * @return the cluster id the storage was formatted with; in ZooKeeper mode the one the first broker wrote into
     *     ZooKeeper
     */
    public String clusterId() {
        return clusterId;
    }

    /**
     * @return {@code 127.0.0.1:<port>} of the ZooKeeper server in ZooKeeper mode (the brokers'
     *     {@code zookeeper.connect}); empty for a KRaft cluster
     */
    public Optional<String> zooKeeperConnect() {
        return Optional.ofNullable(zooKeeperConnect);
    }

    /** @return the directory that holds every node's data */
    public Path dataDirectory() {
        return dataDir;
    }

    /** @return every node id: brokers, then controllers (or the ZooKeeper server) */
    public List<Integer> nodeIds() {
        return List.copyOf(nodes.keySet());
    }

    /**
     * @param nodeId a node id
     * @return what its process does now
     */
    public NodeState state(int nodeId) {
        return node(nodeId).state();
    }

    /**
     * @param nodeId a node id
     * @return the pid of its process while it lives (paused included)
     */
    public OptionalLong pid(int nodeId) {
        return node(nodeId).pid();
    }

    /**
     * @param nodeId a node id
     * @return the exit code of its last process that ended: 143 after SIGTERM, 137 after SIGKILL
     */
    public OptionalInt lastExitCode(int nodeId) {
        return node(nodeId).lastExitCode();
    }

    /**
     * @param nodeId a node id
     * @return the file its standard output and error go to (every process of that node appends to it)
     */
    public Path logFile(int nodeId) {
        return node(nodeId).logFile();
    }

    @Override
    public Duration operationTimeout() {
        return spec.operationTimeout;
    }

    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public List<Integer> brokerIds() {
        return nodes.values().stream().filter(ForkedNode::isBroker).map(ForkedNode::id).toList();
    }

    /** @return the brokers whose process runs and is not paused */
    @Override
    public List<Integer> runningBrokerIds() {
        return nodes.values().stream().filter(n -> n.isBroker() && n.state() == NodeState.RUNNING)
                .map(ForkedNode::id).toList();
    }

    /**
     * @return every node; {@code running} is false for a paused one too; in ZooKeeper mode the ZooKeeper server
     *     has the role {@code zookeeper}, and the active controller is the broker that ZooKeeper elected
     */
    @Override
    public List<BrokerStatus> status() {
        OptionalInt leader = nodes.values().stream().anyMatch(n -> !n.isBroker() && n.state() == NodeState.RUNNING)
                ? activeControllerId() : OptionalInt.empty();
        return nodes.values().stream().map(n -> new BrokerStatus(n.id(), n.roles(), n.listener(),
                n.state() == NodeState.RUNNING, leader.isPresent() && leader.getAsInt() == n.id())).toList();
    }

    /** In ZooKeeper mode the controller broker (ZooKeeper's {@code /controller}), else the KRaft quorum's leader. */
    @Override
    public OptionalInt activeControllerId() {
        if (zooKeeperConnect == null) {
            return KafkaCluster.super.activeControllerId();
        }
        try {
            Node controller = admin().describeCluster(new DescribeClusterOptions().timeoutMs(
                    (int) spec.operationTimeout.toMillis())).controller()
                    .get(spec.operationTimeout.toMillis(), TimeUnit.MILLISECONDS);
            return controller == null || controller.isEmpty() ? OptionalInt.empty() : OptionalInt.of(controller.id());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalInt.empty();
        } catch (ExecutionException | TimeoutException e) {
            return OptionalInt.empty();
        }
    }

    /**
     * SIGTERM: Kafka's shutdown hook does a controlled shutdown (leaders move first). A paused broker gets SIGCONT
     * first. Blocks until the process has exited; one that does not within the shutdown timeout is killed.
     *
     * @throws KafkaClusterException when it had to be killed
     */
    @Override
    public void stopBroker(int brokerId) {
        stopNode(broker(brokerId).id());
    }

    /**
     * SIGKILL: the broker process ends at once, with no controlled shutdown and no flush. A paused broker dies too.
     *
     * @param brokerId a broker id
     * @throws IllegalStateException when it is stopped already
     */
    public void killBroker(int brokerId) {
        killNode(broker(brokerId).id());
    }

    /**
     * SIGSTOP: the broker process stays, holding its ports, but runs nothing: no heartbeat, no fetch, no answer.
     * After {@code broker.session.timeout.ms} (2 s by default here) the controller fences it and its replicas leave
     * the ISR. Returns once the process is stopped.
     *
     * @param brokerId a running broker
     * @throws IllegalStateException when it is not running
     */
    public void pauseBroker(int brokerId) {
        pauseNode(broker(brokerId).id());
    }

    /**
     * SIGCONT: a paused broker runs again; it finds itself fenced, catches up and rejoins
     * ({@link #awaitFullyReplicated(String)} waits for its replicas).
     *
     * @param brokerId a paused broker
     * @throws IllegalStateException when it is not paused
     */
    public void resumeBroker(int brokerId) {
        resumeNode(broker(brokerId).id());
    }

    /** Starts a new process for a stopped or killed broker on the same configuration and log directories. */
    @Override
    public void startBroker(int brokerId) {
        startNode(broker(brokerId).id());
    }

    /**
     * {@link #stopBroker(int)} for any node, controllers included.
     *
     * @param nodeId a node id from {@link #nodeIds()}
     */
    public void stopNode(int nodeId) {
        ForkedNode node = alive(nodeId, "stop");
        long begin = System.nanoTime();
        if (!node.terminate(spec.shutdownTimeout)) {
            throw new KafkaClusterException("node " + nodeId + " did not stop within " + spec.shutdownTimeout.toMillis()
                    + " ms of SIGTERM and was killed");
        }
        LOG.info("node {} stopped (SIGTERM) in {} ms", nodeId, (System.nanoTime() - begin) / 1_000_000);
    }

    /**
     * {@link #killBroker(int)} for any node, controllers included.
     *
     * @param nodeId a node id from {@link #nodeIds()}
     */
    public void killNode(int nodeId) {
        ForkedNode node = alive(nodeId, "kill");
        if (!node.kill(spec.shutdownTimeout)) {
            throw new KafkaClusterException("node " + nodeId + " did not exit within "
                    + spec.shutdownTimeout.toMillis() + " ms of SIGKILL");
        }
        LOG.info("node {} killed (SIGKILL)", nodeId);
    }

    /**
     * {@link #pauseBroker(int)} for any node, controllers included.
     *
     * @param nodeId a node id from {@link #nodeIds()}
     */
    public void pauseNode(int nodeId) {
        node(nodeId).pause();
        LOG.info("node {} paused (SIGSTOP)", nodeId);
    }

    /**
     * {@link #resumeBroker(int)} for any node, controllers included.
     *
     * @param nodeId a node id from {@link #nodeIds()}
     */
    public void resumeNode(int nodeId) {
        node(nodeId).resume();
        LOG.info("node {} resumed (SIGCONT)", nodeId);
    }

    /**
     * {@link #startBroker(int)} for any node: a broker is up once registered with the controller, a controller once
     * its listener accepts connections, ZooKeeper once it serves (it answers {@code srvr} with its mode).
     *
     * @param nodeId a node id from {@link #nodeIds()}
     * @throws IllegalStateException when its process is alive, or the cluster is closed
     * @throws KafkaClusterException when it exits or is not up within the startup timeout
     */
    public void startNode(int nodeId) {
        ForkedNode node = node(nodeId);
        if (closed.get()) {
            throw new IllegalStateException("the cluster is closed");
        }
        if (node.state() != NodeState.STOPPED) {
            throw new IllegalStateException("node " + nodeId + " is already running (" + node.state() + ")");
        }
        long begin = System.nanoTime();
        if (node.isBroker() && zooKeeperConnect != null) {
            // a killed broker's registration (an ephemeral znode) stays until its ZooKeeper session expires; a new
            // process that found it there would fail to register and exit
            awaitUp(() -> !registered().contains(nodeId), List.of(), "the registration of broker " + nodeId
                    + "'s last process to expire");
        }
        if (node.isZooKeeper()) {
            startAndAwait(node);
        } else {
            node.start();
        }
        if (node.isBroker()) {
            awaitBrokers(List.of(nodeId));
        } else if (!node.isZooKeeper()) {
            awaitUp(() -> accepts(node.listener()), List.of(node), "controller " + nodeId + " to listen");
        }
        LOG.info("node {} started in {} ms", nodeId, (System.nanoTime() - begin) / 1_000_000);
    }

    /**
     * @return {@code bootstrap.servers}; with {@link Builder#security(ClusterSecurity)}, the client settings of the
     *     first secured listener and the first user (a super user)
     */
    @Override
    public Map<String, Object> adminConfig() {
        return SecuredNodes.adminConfig(spec.security, tls, bootstrapServers, bootstrapByProtocol);
    }

    /**
     * @param protocol PLAINTEXT (always there), or a protocol of {@link ClusterSecurity#listeners()}
     * @return that listener of every broker, in id order
     * @throws IllegalArgumentException when the cluster has no such listener
     */
    public String bootstrapServers(SecurityProtocol protocol) {
        return SecuredNodes.bootstrapServers(bootstrapByProtocol, protocol);
    }

    /**
     * As {@link EmbeddedKafkaCluster#clientConfig(SecurityProtocol, String)}: everything a client of one listener
     * needs, with a user's SCRAM credentials on SASL and the generated trust store on TLS.
     *
     * @param protocol a listener of this cluster
     * @param user     for SASL, a user of {@link ClusterSecurity#users()}; ignored otherwise, may then be null
     * @return a fresh mutable map
     * @throws IllegalArgumentException when there is no such listener or user
     */
    public Map<String, Object> clientConfig(SecurityProtocol protocol, String user) {
        return SecuredNodes.clientConfig(spec.security, tls, protocol, user, bootstrapServers(protocol));
    }

    /** @return the security settings the cluster started with, if any */
    public Optional<ClusterSecurity> security() {
        return Optional.ofNullable(spec.security);
    }

    @Override
    public Admin admin() {
        return admin.get();
    }

    /**
     * Stops every node, brokers first (SIGTERM, while the controllers can still take their controlled shutdown),
     * then the controllers; a paused node is killed, a node that does not stop within the shutdown timeout too.
     * Deletes a temporary data directory. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long begin = System.nanoTime();
        admin.close();
        Consumer<ForkedNode> stop = n -> {
            if (n.state() == NodeState.PAUSED) {
                n.kill(spec.shutdownTimeout);
            } else {
                n.terminate(spec.shutdownTimeout);
            }
        };
        List<ForkedNode> all = List.copyOf(nodes.values());
        quietly(() -> parallel(all.stream().filter(ForkedNode::isBroker).toList(), "stop", spec.shutdownTimeout
                .multipliedBy(2), stop));
        quietly(() -> parallel(all.stream().filter(n -> !n.isBroker()).toList(), "stop", spec.shutdownTimeout
                .multipliedBy(2), stop));
        all.forEach(n -> n.kill(spec.shutdownTimeout));
        all.forEach(ForkedNode::publishClassDataSharing);
        if (deleteDataDir) {
            DataDirectories.deleteRecursively(dataDir);
        }
        LOG.info("Forked Kafka cluster {} closed in {} ms", clusterId, (System.nanoTime() - begin) / 1_000_000);
    }

    private static void quietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("closing the forked cluster: {}", e.toString());
        }
    }

    private ForkedNode node(int nodeId) {
        ForkedNode node = nodes.get(nodeId);
        if (node == null) {
            throw new IllegalArgumentException("no node with id " + nodeId + "; nodes are " + nodeIds());
        }
        return node;
    }

    private ForkedNode broker(int brokerId) {
        ForkedNode node = nodes.get(brokerId);
        if (node == null || !node.isBroker()) {
            throw new IllegalArgumentException("no broker with id " + brokerId + "; brokers are " + brokerIds());
        }
        return node;
    }

    private ForkedNode alive(int nodeId, String action) {
        ForkedNode node = node(nodeId);
        if (node.state() == NodeState.STOPPED) {
            throw new IllegalStateException("cannot " + action + " node " + nodeId + ": it is already stopped");
        }
        return node;
    }

    private Set<Integer> registered() {
        return await(admin().describeCluster(new DescribeClusterOptions().timeoutMs(1_000)).nodes(),
                "describe cluster").stream().map(Node::id).collect(Collectors.toSet());
    }

    private void awaitBrokers(List<Integer> ids) {
        List<ForkedNode> watched = List.copyOf(nodes.values());
        awaitUp(() -> registered().containsAll(ids), watched.stream().filter(n -> ids.contains(n.id()) || !n.isBroker()).toList(), "brokers " + ids
                + " to register");
    }

    /**
     * Polls until {@code ready} holds, and fails at once when a watched node's process has exited; bounded by the
     * startup timeout. (Not {@code Wait.until}: that one takes a failure for "not yet".)
     */
    private void awaitUp(java.util.function.BooleanSupplier ready, List<ForkedNode> watched, String what) {
        long deadline = System.nanoTime() + spec.startupTimeout.toNanos();
        RuntimeException last = null;
        while (true) {
            watched.forEach(n -> n.requireAlive(what));
            try {
                if (ready.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new KafkaClusterException("timed out after " + spec.startupTimeout.toMillis()
                        + " ms waiting for " + what, last);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaClusterException("interrupted while waiting for " + what, e);
            }
        }
    }

    private void startAndAwait(ForkedNode zooKeeper) {
        zooKeeper.start();
        String listener = zooKeeper.listener();
        int colon = listener.lastIndexOf(':');
        awaitUp(() -> ZooKeeperMode.serves(listener.substring(0, colon), Integer.parseInt(listener.substring(colon + 1))),
                List.of(zooKeeper), "ZooKeeper " + zooKeeper.id() + " to serve on " + listener);
    }

    private static boolean accepts(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(hostPort.substring(0, colon),
                    Integer.parseInt(hostPort.substring(colon + 1))), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs the action on every node at once (child JVMs start in parallel), bounded as a whole. */
    private static void parallel(List<ForkedNode> targets, String what, Duration timeout, Consumer<ForkedNode> action) {
        if (targets.isEmpty()) {
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(targets.size(), r -> {
            Thread t = new Thread(r, "kafkalab-forked-" + what);
            t.setDaemon(true);
            return t;
        });
        try {
            List<CompletableFuture<Void>> futures = targets.stream()
                    .map(n -> CompletableFuture.runAsync(() -> action.accept(n), pool)).toList();
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r
                    : new KafkaClusterException(what + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaClusterException(what + " of nodes did not finish within " + timeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaClusterException("interrupted during " + what, e);
        } finally {
            pool.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "ForkedKafkaCluster[Kafka " + version + ", " + bootstrapServers
                + (zooKeeperConnect != null ? ", zookeeper.connect=" + zooKeeperConnect : "") + "]";
    }

    /**
     * Settings of a {@link ForkedKafkaCluster}. Validates each value when it is set and names the field and the bad
     * value. Not thread safe; the started cluster keeps its own copy.
     */
    public static final class Builder {
        private int brokers = 3;
        private int controllers = 1;
        private boolean controllersSet;
        private boolean zookeeper;
        private int port;
        private int zookeeperPort;
        private String version;
        private Path classPath;
        private Path dataDirectory;
        private Path logDirectory;
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();
        private List<String> jvmOptions = DEFAULT_JVM_OPTIONS;
        private Duration startupTimeout = Duration.ofSeconds(120);
        private Duration shutdownTimeout = Duration.ofSeconds(30);
        private Duration operationTimeout = Duration.ofSeconds(30);
        private ClusterSecurity security;

        private Builder() {
        }

        /**
         * Secured client listeners, users and an authorizer, as for {@link EmbeddedKafkaCluster.Builder#security}
         * (KRaft only: the SCRAM users are written when the storage is formatted). Inter-broker and controller
         * traffic stays PLAINTEXT on loopback ports of its own; with {@link #port(int)}, the first secured listener
         * takes the fixed ports.
         *
         * @param security the listeners, users and ACLs
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
         * @param controllers number of dedicated KRaft controllers (the quorum's voters), 1, 3 or 5; default 1
         * @return this
         */
        public Builder controllers(int controllers) {
            if (controllers != 1 && controllers != 3 && controllers != 5) {
                throw new IllegalArgumentException("controllers must be 1, 3 or 5, but was " + controllers);
            }
            this.controllers = controllers;
            this.controllersSet = true;
            return this;
        }

        /**
         * ZooKeeper mode, seed 004's world before Kafka 4: one ZooKeeper server (node id {@link #ZOOKEEPER_ID},
         * {@code QuorumPeerMain} on a standalone {@code zoo.cfg} bound to 127.0.0.1, as {@code zkServer.sh start}
         * runs it) and the brokers on it ({@code zookeeper.connect}, {@code broker.id}; no KRaft controllers, no
         * storage format). Needs brokers before Kafka 4.0; without {@link #version(String)} or
         * {@link #classPath(Path)} the version is {@value ForkedKafkaCluster#LAST_ZOOKEEPER_VERSION}. The ZooKeeper
         * server runs the jars of the first directory in {@code kafkalab.kafka.distributions} that holds
         * {@code zookeeper-<version>.jar} and no Kafka (the build's {@code brokers/zookeeper-3.9.5}), else those of
         * the brokers' own directory (the ZooKeeper their client connects with, as Kafka 3's
         * {@code zookeeper-server-start.sh} does).
         *
         * @return this
         */
        public Builder zookeeper() {
            this.zookeeper = true;
            return this;
        }

        /**
         * @param port client port of broker 0; broker i listens on {@code port + i}; 0 (the default) picks free ports
         * @return this
         */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535, but was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * @param port ZooKeeper's client port in {@link #zookeeper() ZooKeeper mode}; 0 (the default) picks a free
         *             one
         * @return this
         */
        public Builder zookeeperPort(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("zookeeperPort must be between 0 and 65535, but was " + port);
            }
            this.zookeeperPort = port;
            return this;
        }

        /** Whether a Kafka version still has ZooKeeper mode (before 4.0); an unknown one is given the benefit. */
        static boolean hasZooKeeperMode(String version) {
            return !version.matches("\\d+\\..*") || Integer.parseInt(version.substring(0, version.indexOf('.'))) < 4;
        }

        /**
         * The broker version, from the directories in the system property {@code kafkalab.kafka.distributions};
         * {@link #start()} fails, naming them, when none holds it. Default: the version of the clients on this
         * class path (its directory when listed, else this JVM's own class path).
         *
         * @param version such as {@code 3.9.1} or {@code 4.4.0}
         * @return this
         */
        public Builder version(String version) {
            if (!Objects.requireNonNull(version, "version").matches("\\d+\\.\\d+\\.\\d+")) {
                throw new IllegalArgumentException("version must look like 3.9.1, but was " + version);
            }
            this.version = version;
            this.classPath = null;
            return this;
        }

        /**
         * Runs the nodes on every jar in this directory instead, such as the {@code libs/} of an unpacked Kafka
         * download; it must hold a Log4j binding the way those do.
         *
         * @param libDirectory a directory of jars
         * @return this
         */
        public Builder classPath(Path libDirectory) {
            if (!Files.isDirectory(Objects.requireNonNull(libDirectory, "libDirectory"))) {
                throw new IllegalArgumentException("classPath must be a directory of jars, but was " + libDirectory);
            }
            this.classPath = libDirectory;
            this.version = null;
            return this;
        }

        /**
         * Keeps data in this directory: not deleted on close, and a formatted one is reused with its cluster id. By
         * default a temporary directory that {@link #close()} deletes.
         *
         * @param directory created when missing
         * @return this
         */
        public Builder dataDirectory(Path directory) {
            this.dataDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * Where each node's output goes ({@code node-<id>.log}, emptied when the cluster starts, appended to by each
         * later process of that node). By default {@code logs/} in the data directory, so a
         * temporary one goes with it on close.
         *
         * @param directory created when missing
         * @return this
         */
        public Builder logDirectory(Path directory) {
            this.logDirectory = Objects.requireNonNull(directory, "directory");
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
         * @param options the child JVMs' options instead of {@link #DEFAULT_JVM_OPTIONS}
         * @return this
         */
        public Builder jvmOptions(List<String> options) {
            this.jvmOptions = List.copyOf(options);
            return this;
        }

        /**
         * @param timeout bound on starting the cluster (formats included), or one node; default 120 s
         * @return this
         */
        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = Arguments.positive(timeout, "startupTimeout");
            return this;
        }

        /**
         * @param timeout bound on one node's exit after SIGTERM, after which it is killed; default 30 s
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
         * Formats every KRaft node's storage and starts every node, each in a child JVM (in ZooKeeper mode ZooKeeper
         * first, until it serves), and blocks until every broker is registered.
         *
         * @return the running cluster; close it when done
         * @throws IllegalArgumentException when settings conflict: controllers or a Kafka 4 version with
         *                                  {@link #zookeeper()}, ports out of range or shared
         * @throws KafkaClusterException when there are no jars of the version, or a node fails or is not up within
         *                               the startup timeout (with the end of its log); what started is stopped again
         */
        public ForkedKafkaCluster start() {
            if (zookeeper && controllersSet) {
                throw new IllegalArgumentException("controllers is KRaft's: a zookeeper() cluster has none, but"
                        + " controllers was " + controllers);
            }
            if (zookeeper && security != null) {
                throw new IllegalArgumentException("security is for KRaft clusters (SCRAM users are written when the"
                        + " storage is formatted): it does not go with zookeeper()");
            }
            if (zookeeper && version != null && !hasZooKeeperMode(version)) {
                throw new IllegalArgumentException("zookeeper() needs a Kafka version before 4.0 (Kafka 4 removed"
                        + " ZooKeeper mode), but version was " + version);
            }
            if (port > 0 && port + brokers - 1 > 65535) {
                throw new IllegalArgumentException("port + brokers - 1 must be at most 65535, but port was " + port
                        + " with " + brokers + " brokers");
            }
            if (zookeeper && zookeeperPort > 0 && port > 0 && zookeeperPort >= port && zookeeperPort < port + brokers) {
                throw new IllegalArgumentException("zookeeperPort must not be a broker's port (" + port + "-"
                        + (port + brokers - 1) + "), but was " + zookeeperPort);
            }
            Builder copy = new Builder();
            copy.brokers = brokers;
            copy.controllers = controllers;
            copy.controllersSet = controllersSet;
            copy.zookeeper = zookeeper;
            copy.port = port;
            copy.zookeeperPort = zookeeperPort;
            copy.version = version;
            copy.classPath = classPath;
            copy.dataDirectory = dataDirectory;
            copy.logDirectory = logDirectory;
            copy.brokerProperties.putAll(brokerProperties);
            copy.jvmOptions = jvmOptions;
            copy.startupTimeout = startupTimeout;
            copy.shutdownTimeout = shutdownTimeout;
            copy.operationTimeout = operationTimeout;
            copy.security = security;
            return new ForkedKafkaCluster(copy).startNodes();
        }
    }
}
