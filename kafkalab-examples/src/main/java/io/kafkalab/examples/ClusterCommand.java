package io.kafkalab.examples;

import io.kafkalab.testkit.BrokerStatus;
import io.kafkalab.testkit.EmbeddedKafkaCluster;
import io.kafkalab.testkit.ForkedKafkaCluster;
import io.kafkalab.testkit.KafkaCluster;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kafkalab cluster}: the Docker-free stand-in for the lab's {@code docker-compose up -d}. Starts a KRaft
 * cluster on 127.0.0.1, in this JVM or (with {@code --isolation process}) every node a child JVM of its own, or
 * seed 004's Kafka 3.9.1 on ZooKeeper ({@code --zookeeper}); prints exactly one {@code bootstrap.servers=...} line on
 * stdout when every broker is ready (after {@code zookeeper.connect=...} in ZooKeeper mode), then runs until Ctrl-C,
 * SIGTERM or {@code quit}, reading commands on stdin.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = {"Start a Kafka cluster (KRaft, every listener on 127.0.0.1) and keep it running: in this JVM, "
                + "with --isolation process each node a JVM of its own, with --zookeeper Kafka 3.9.1 brokers on "
                + "ZooKeeper (seed 004's setup).",
            "Prints one line bootstrap.servers=... on stdout when every broker is ready (after one line "
                + "zookeeper.connect=... with --zookeeper).",
            "Commands on stdin: " + ClusterCommand.COMMANDS + ". Ctrl-C or SIGTERM stops it too."})
final class ClusterCommand implements Callable<Integer> {

    static final String COMMANDS = "status | stop <id> | start <id> | kill <id> | pause <id> | resume <id> | quit";

    @Option(names = "--brokers", defaultValue = "3", description = "Number of brokers (default: ${DEFAULT-VALUE}).")
    int brokers;

    @Option(names = "--port", defaultValue = "9092",
            description = "Client port of broker 0; broker i listens on port + i (default: ${DEFAULT-VALUE}). "
                    + "0 picks free ports.")
    int port;

    @Option(names = "--data-dir",
            description = "Keep data in this directory across runs (default: a temporary directory, deleted on exit).")
    Path dataDir;

    @Option(names = "--combined",
            description = "Make every broker a controller too, as the lab's docker-compose does, instead of running "
                    + "one controller-only node beside the brokers. Stopping a broker then also stops a controller "
                    + "voter, and stopping the cluster takes about 5 s more (Kafka's graceful Raft shutdown of the "
                    + "last controller, which has no quorum left).")
    boolean combined;

    @Option(names = "--ui", description = "Also serve the UI (./kafkalab ui) for this cluster, on 127.0.0.1.")
    boolean ui;

    @Option(names = "--ui-port", defaultValue = "8080",
            description = "The UI's port with --ui (default: ${DEFAULT-VALUE}; 0 picks one).")
    int uiPort;

    @Option(names = "--isolation", defaultValue = "jvm", paramLabel = "jvm|process",
            description = "Where the nodes run: jvm (default, in this JVM, quick) or process (each node a child JVM: "
                    + "kill, pause and resume work, any --kafka-version).")
    String isolation;

    @Option(names = "--kafka-version", paramLabel = "VERSION",
            description = "The brokers' Kafka version, one the build resolved (4.4.0, 3.9.1); implies --isolation "
                    + "process. Default: this build's, or 3.9.1 with --zookeeper.")
    String kafkaVersion;

    @Option(names = "--zookeeper",
            description = "Seed 004's world before Kafka 4: a ZooKeeper 3.9 server and Kafka 3.9.1 brokers on it "
                    + "(zookeeper.connect, no KRaft), each in its own JVM; implies --isolation process.")
    boolean zookeeper;

    @Option(names = "--zookeeper-port", defaultValue = "2181",
            description = "ZooKeeper's client port with --zookeeper (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int zookeeperPort;

    @Option(names = "--security", paramLabel = "sasl-ssl|sasl-plaintext",
            description = "Secure the cluster: SCRAM users admin, alice, bob and carol with passwords generated for "
                    + "this run, Kafka's StandardAuthorizer and ACLs (alice writes and reads, bob only reads, carol "
                    + "nothing), a client config file per user for --command-config. In this JVM only.")
    String security;

    /** The default since the controller runs apart; still accepted, so that older scripts keep working. */
    @Option(names = "--dedicated-controller", hidden = true)
    boolean dedicatedController;

    @picocli.CommandLine.ParentCommand
    KafkaLab root;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private java.io.PrintWriter out;
    private java.io.PrintWriter err;

    @Override
    public Integer call() throws InterruptedException {
        out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        if (combined && dedicatedController) {
            throw new IllegalArgumentException("--combined and --dedicated-controller exclude each other");
        }
        if (security != null && (forked() || dataDir != null)) {
            throw new IllegalArgumentException("--security runs a cluster in this JVM with passwords new on every run:"
                    + " it does not go with --isolation process, --kafka-version, --zookeeper or --data-dir");
        }
        secured = security != null ? LabSecurity.of(security) : null;
        long begin = System.nanoTime();
        KafkaCluster cluster = forked() ? startForked() : startInJvm();
        forked = cluster instanceof ForkedKafkaCluster f ? f : null;
        try {
            io.kafkalab.examples.ui.UiServer.Settings settings = io.kafkalab.examples.ui.UiServer.Settings.of(
                    cluster.bootstrapServers()).at("127.0.0.1", uiPort);
            if (secured != null) {
                settings = settings.withClientConfig(((EmbeddedKafkaCluster) cluster).adminConfig()); // as admin
            }
            web = ui ? io.kafkalab.examples.ui.UiServer.start(settings) : null;
        } catch (IOException e) {
            cluster.close();
            throw new IllegalArgumentException("--ui: cannot listen on 127.0.0.1:" + uiPort + " (" + e.getMessage()
                    + "): is another UI running? Try --ui-port 0");
        }
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            closeAndReport(cluster);
        }, "kafkalab-cluster-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        if (forked != null) {
            forked.zooKeeperConnect().ifPresent(zk -> out.println("zookeeper.connect=" + zk));
        }
        out.println("bootstrap.servers=" + cluster.bootstrapServers());
        out.flush();
        err.printf("Ready in %d ms. Cluster id %s.%n", (System.nanoTime() - begin) / 1_000_000, clusterId(cluster));
        cluster.status().forEach(s -> err.println("  " + s));
        if (secured != null) {
            printSecurity((EmbeddedKafkaCluster) cluster);
        }
        if (forked != null) {
            err.println("Node logs: " + forked.logFile(forked.nodeIds().get(0)).getParent());
        }
        if (web != null) {
            err.println("UI: " + web.url());
        }
        err.println("Commands: " + COMMANDS + "   (Ctrl-C stops the cluster)");
        err.flush();

        Thread console = new Thread(() -> readCommands(cluster, stop), "kafkalab-cluster-console");
        console.setDaemon(true);
        console.start();
        stop.await();
        closeAndReport(cluster);
        return 0;
    }

    /** Writes the users' client config files and says who may do what, and where the files are. */
    private void printSecurity(EmbeddedKafkaCluster cluster) {
        try {
            clientConfigs = Files.createTempDirectory("kafkalab-clients-");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot create a directory for the client configs", e);
        }
        Map<String, Path> files = secured.writeClientConfigs(cluster, clientConfigs);
        err.printf("Secured: %s with SCRAM-SHA-512%s, StandardAuthorizer (allow.everyone.if.no.acl.found=false). "
                + "Users, new passwords each run:%n", secured.protocol(),
                secured.protocol() == SecurityProtocol.SASL_SSL ? " over TLS (a certificate made for 127.0.0.1)" : "");
        for (LabSecurity.User user : LabSecurity.USERS) {
            err.printf("  %-6s %s%n         --command-config %s%n", user.name(), user.may(), files.get(user.name()));
        }
        err.println("  For example: ./kafkalab produce -b " + cluster.bootstrapServers() + " --command-config "
                + files.get("bob") + "   (refused: bob may not write)");
        err.println("  Inter-broker and controller traffic stays PLAINTEXT on 127.0.0.1 ports of its own, where "
                + "anyone is a super user: keep this machine's loopback to yourself.");
    }

    private boolean forked() {
        return zookeeper || kafkaVersion != null || "process".equals(isolation.toLowerCase(Locale.ROOT));
    }

    private EmbeddedKafkaCluster startInJvm() {
        if (!"jvm".equals(isolation.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("--isolation must be jvm or process, but was '" + isolation + "'");
        }
        EmbeddedKafkaCluster.Topology topology = combined
                ? EmbeddedKafkaCluster.Topology.COMBINED : EmbeddedKafkaCluster.Topology.DEDICATED_CONTROLLER;
        err.printf("Starting %d Kafka %s broker(s) in this JVM (%s)...%n", brokers,
                org.apache.kafka.common.utils.internals.AppInfoParser.getVersion(),
                combined ? "each broker and controller, as in the lab's docker-compose" : "and one controller");
        EmbeddedKafkaCluster.Builder builder = EmbeddedKafkaCluster.builder().brokers(brokers).port(port)
                .topology(topology);
        if (secured != null) {
            builder.security(secured.clusterSecurity());
        }
        if (dataDir != null) {
            builder.dataDirectory(dataDir);
        }
        return builder.start();
    }

    private ForkedKafkaCluster startForked() {
        if (!List.of("jvm", "process").contains(isolation.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("--isolation must be jvm or process, but was '" + isolation + "'");
        }
        if (combined) {
            throw new IllegalArgumentException("--combined runs in this JVM only; with --isolation process, "
                    + "--kafka-version or --zookeeper the controller (or ZooKeeper) runs apart");
        }
        if (zookeeper && kafkaVersion != null && !kafkaVersion.matches("[0-3]\\..*")) {
            throw new IllegalArgumentException("--zookeeper needs a --kafka-version before 4.0 (Kafka 4 removed"
                    + " ZooKeeper mode), but it was " + kafkaVersion);
        }
        BrokerDistributions.useDefaultsUnlessSet();
        ForkedKafkaCluster.Builder builder = ForkedKafkaCluster.builder().brokers(brokers).port(port);
        if (kafkaVersion != null) {
            builder.version(kafkaVersion);
        }
        if (zookeeper) {
            builder.zookeeper().zookeeperPort(zookeeperPort);
        }
        if (dataDir != null) {
            builder.dataDirectory(dataDir);
        }
        builder.logDirectory(BrokerDistributions.nodeLogDirectory());
        String version = kafkaVersion != null ? kafkaVersion : zookeeper ? ForkedKafkaCluster.LAST_ZOOKEEPER_VERSION
                : org.apache.kafka.common.utils.internals.AppInfoParser.getVersion();
        err.printf("Starting %d Kafka %s broker(s), each in its own JVM, %s...%n", brokers, version,
                !zookeeper ? "and one controller" : zookeeperPort == 0 ? "on a ZooKeeper server on a free port"
                        : "on a ZooKeeper server at 127.0.0.1:" + zookeeperPort);
        return builder.start();
    }

    private static String clusterId(KafkaCluster cluster) {
        return cluster instanceof ForkedKafkaCluster f ? f.clusterId()
                : ((EmbeddedKafkaCluster) cluster).clusterId();
    }

    private void readCommands(KafkaCluster cluster, CountDownLatch stop) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(root.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!execute(cluster, line.trim())) {
                    stop.countDown();
                    return;
                }
            }
            // end of input (for example started with </dev/null): keep running until a signal
        } catch (IOException e) {
            err.println("stdin closed: " + e.getMessage() + "; stop the cluster with Ctrl-C or SIGTERM");
        }
    }

    /** Runs one console command; returns false for quit. */
    private boolean execute(KafkaCluster cluster, String line) {
        String[] words = line.split("\\s+");
        try {
            switch (words[0]) {
                case "" -> { }
                case "status" -> {
                    for (BrokerStatus s : cluster.status()) {
                        out.println(s);
                    }
                }
                case "stop", "start", "kill", "pause", "resume" -> nodeCommand(cluster, words);
                case "quit", "exit" -> {
                    return false;
                }
                case "help" -> out.println("commands: " + COMMANDS);
                default -> out.println("unknown command '" + words[0] + "'; commands: " + COMMANDS);
            }
        } catch (RuntimeException e) {
            out.println("error: " + e.getMessage());
        }
        out.flush();
        return true;
    }

    /** stop, start, kill, pause, resume: any node of a forked cluster ({@code zookeeper} for its id), brokers else. */
    private void nodeCommand(KafkaCluster cluster, String[] words) {
        String action = words[0];
        List<Integer> ids = forked != null ? forked.nodeIds() : cluster.brokerIds();
        boolean zk = words.length == 2 && forked != null && forked.zooKeeperConnect().isPresent()
                && List.of("zookeeper", "zk").contains(words[1]);
        if (forked == null && List.of("kill", "pause", "resume").contains(action)) {
            out.println(action + " needs --isolation process (each node its own JVM to signal); this cluster runs"
                    + " in this JVM, where stop <id> and start <id> work");
            return;
        }
        if (words.length != 2 || !(zk || words[1].matches("\\d+"))) {
            out.println("usage: " + action + " <id>; " + (forked != null ? "nodes are " : "brokers are ") + ids);
            return;
        }
        int id = zk ? ForkedKafkaCluster.ZOOKEEPER_ID : Integer.parseInt(words[1]);
        if (forked == null) {
            if (action.equals("stop")) {
                cluster.stopBroker(id);
            } else {
                cluster.startBroker(id);
            }
            out.println("broker " + id + " " + (action.equals("stop") ? "stopped" : "started"));
            return;
        }
        switch (action) {
            case "stop" -> forked.stopNode(id);
            case "start" -> forked.startNode(id);
            case "kill" -> forked.killNode(id);
            case "pause" -> forked.pauseNode(id);
            default -> forked.resumeNode(id);
        }
        String done = switch (action) {
            case "stop" -> "stopped";
            case "start" -> "started";
            case "kill" -> "killed (SIGKILL)";
            case "pause" -> "paused (SIGSTOP)";
            default -> "resumed (SIGCONT)";
        };
        out.println(nodeName(id) + " " + done);
    }

    private String nodeName(int id) {
        if (forked.brokerIds().contains(id)) {
            return "broker " + id;
        }
        return (id == ForkedKafkaCluster.ZOOKEEPER_ID && forked.zooKeeperConnect().isPresent() ? "zookeeper "
                : "controller ") + id;
    }

    /**
     * Closes once. Synchronized as a whole, so that the shutdown hook, when the main thread got here first,
     * waits for the close to finish: the JVM halts as soon as the hooks return.
     */
    private synchronized void closeAndReport(KafkaCluster cluster) {
        if (closed) {
            return;
        }
        closed = true;
        err.println("Stopping the cluster...");
        err.flush();
        long begin = System.nanoTime();
        if (web != null) {
            web.close();
        }
        cluster.close();
        if (clientConfigs != null) {
            deleteClientConfigs();
        }
        err.printf("Cluster stopped in %d ms.%n", (System.nanoTime() - begin) / 1_000_000);
        err.flush();
    }

    private void deleteClientConfigs() {
        try (java.util.stream.Stream<Path> files = Files.list(clientConfigs)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(clientConfigs);
        } catch (IOException e) {
            err.println("could not delete the client configs in " + clientConfigs + ": " + e.getMessage());
        }
    }

    private boolean closed;
    /** With {@code --security}: the users and ACLs, else null. */
    private LabSecurity secured;
    /** With {@code --security}: where the users' client config files are, else null. */
    private Path clientConfigs;
    /** The cluster when its nodes are child JVMs, else null. */
    private ForkedKafkaCluster forked;
    /** The UI with {@code --ui}, else null. */
    private io.kafkalab.examples.ui.UiServer web;
}
