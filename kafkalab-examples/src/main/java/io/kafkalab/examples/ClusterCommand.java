package io.kafkalab.examples;

import io.kafkalab.testkit.BrokerStatus;
import io.kafkalab.testkit.EmbeddedKafkaCluster;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kafkalab cluster}: the Docker-free stand-in for the lab's {@code docker-compose up -d}. Starts an
 * embedded KRaft cluster on 127.0.0.1, prints exactly one {@code bootstrap.servers=...} line on stdout when
 * every broker is ready, then runs until Ctrl-C, SIGTERM or {@code quit}, reading commands on stdin.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true,
        description = {"Start a Kafka cluster in this JVM (KRaft, every listener on 127.0.0.1) and keep it running.",
            "Prints one line bootstrap.servers=... on stdout when every broker is ready.",
            "Commands on stdin: status | stop <id> | start <id> | quit. Ctrl-C or SIGTERM stops it too."})
final class ClusterCommand implements Callable<Integer> {

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
        EmbeddedKafkaCluster.Topology topology = combined
                ? EmbeddedKafkaCluster.Topology.COMBINED : EmbeddedKafkaCluster.Topology.DEDICATED_CONTROLLER;
        err.printf("Starting %d Kafka %s broker(s) in this JVM (%s)...%n", brokers,
                org.apache.kafka.common.utils.internals.AppInfoParser.getVersion(),
                combined ? "each broker and controller, as in the lab's docker-compose" : "and one controller");
        EmbeddedKafkaCluster.Builder builder = EmbeddedKafkaCluster.builder().brokers(brokers).port(port)
                .topology(topology);
        if (dataDir != null) {
            builder.dataDirectory(dataDir);
        }
        long begin = System.nanoTime();
        EmbeddedKafkaCluster cluster = builder.start();
        try {
            web = ui ? io.kafkalab.examples.ui.UiServer.start(io.kafkalab.examples.ui.UiServer.Settings.of(
                    cluster.bootstrapServers()).at("127.0.0.1", uiPort)) : null;
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

        out.println("bootstrap.servers=" + cluster.bootstrapServers());
        out.flush();
        err.printf("Ready in %d ms. Cluster id %s.%n", (System.nanoTime() - begin) / 1_000_000, cluster.clusterId());
        cluster.status().forEach(s -> err.println("  " + s));
        if (web != null) {
            err.println("UI: " + web.url());
        }
        err.println("Commands: status | stop <id> | start <id> | quit   (Ctrl-C stops the cluster)");
        err.flush();

        Thread console = new Thread(() -> readCommands(cluster, stop), "kafkalab-cluster-console");
        console.setDaemon(true);
        console.start();
        stop.await();
        closeAndReport(cluster);
        return 0;
    }

    private void readCommands(EmbeddedKafkaCluster cluster, CountDownLatch stop) {
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
    private boolean execute(EmbeddedKafkaCluster cluster, String line) {
        String[] words = line.split("\\s+");
        try {
            switch (words[0]) {
                case "" -> { }
                case "status" -> {
                    for (BrokerStatus s : cluster.status()) {
                        out.println(s);
                    }
                }
                case "stop", "start" -> {
                    if (words.length != 2 || !words[1].matches("\\d+")) {
                        out.println("usage: " + words[0] + " <broker id>; brokers are " + cluster.brokerIds());
                    } else if (words[0].equals("stop")) {
                        cluster.stopBroker(Integer.parseInt(words[1]));
                        out.println("broker " + words[1] + " stopped");
                    } else {
                        cluster.startBroker(Integer.parseInt(words[1]));
                        out.println("broker " + words[1] + " started");
                    }
                }
                case "quit", "exit" -> {
                    return false;
                }
                case "help" -> out.println("commands: status | stop <id> | start <id> | quit");
                default -> out.println("unknown command '" + words[0] + "'; commands: status | stop <id> | start <id> | quit");
            }
        } catch (RuntimeException e) {
            out.println("error: " + e.getMessage());
        }
        out.flush();
        return true;
    }

    /**
     * Closes once. Synchronized as a whole, so that the shutdown hook, when the main thread got here first,
     * waits for the close to finish: the JVM halts as soon as the hooks return.
     */
    private synchronized void closeAndReport(EmbeddedKafkaCluster cluster) {
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
        err.printf("Cluster stopped in %d ms.%n", (System.nanoTime() - begin) / 1_000_000);
        err.flush();
    }

    private boolean closed;
    /** The UI with {@code --ui}, else null. */
    private io.kafkalab.examples.ui.UiServer web;
}
