package io.kafkalab.testkit.internal;

import io.kafkalab.testkit.KafkaClusterException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One KRaft node ({@code kafka.server.KafkaRaftServer}) in this JVM: its configuration, its log directory,
 * and a bounded start and stop. A stopped node can be started again on the same configuration and data.
 * Not part of the API.
 */
public final class EmbeddedNode {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedNode.class);

    private final int id;
    private final Set<String> roles;
    private final Path logDir;
    private final Map<String, String> config;
    private final String listener;
    private volatile KafkaRaftServer server;

    /**
     * @param id       node id
     * @param roles    "broker", "controller" or both
     * @param logDir   the node's own data directory
     * @param config   complete server properties
     * @param listener host:port shown in status (client listener for brokers)
     */
    public EmbeddedNode(int id, Set<String> roles, Path logDir, Map<String, String> config, String listener) {
        this.id = id;
        this.roles = Set.copyOf(roles);
        this.logDir = logDir;
        this.config = Map.copyOf(config);
        this.listener = listener;
    }

    public int id() {
        return id;
    }

    public Set<String> roles() {
        return roles;
    }

    public boolean isBroker() {
        return roles.contains("broker");
    }

    public String listener() {
        return listener;
    }

    public boolean running() {
        return server != null;
    }

    /**
     * Writes {@code server.properties} into the log directory and formats the storage with the cluster id,
     * unless it is formatted already (a kept data directory).
     *
     * @param clusterId  base64 cluster id
     * @param formatArgs more arguments for {@code kafka-storage format}, such as {@code --add-scram}
     */
    public void formatIfNeeded(String clusterId, List<String> formatArgs) {
        try {
            Files.createDirectories(logDir);
            Path propsFile = logDir.resolveSibling("node-" + id + ".properties");
            Properties props = new Properties();
            props.putAll(config);
            try (OutputStream out = Files.newOutputStream(propsFile)) {
                props.store(out, "kafkalab embedded node " + id);
            }
            if (Files.exists(logDir.resolve("meta.properties"))) {
                LOG.debug("node {}: storage in {} already formatted", id, logDir);
                return;
            }
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            int code;
            try (PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
                List<String> args = new ArrayList<>(List.of("format", "-t", clusterId, "-c", propsFile.toString()));
                args.addAll(formatArgs);
                code = StorageTool.execute(args.toArray(String[]::new), out);
            }
            String output = buffer.toString(StandardCharsets.UTF_8).trim();
            if (code != 0) {
                throw new KafkaClusterException("formatting storage of node " + id + " in " + logDir
                        + " failed with code " + code + ": " + output);
            }
            LOG.debug("node {}: {}", id, output);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the storage of node " + id + " in " + logDir, e);
        }
    }

    /**
     * Starts the node and blocks until it is up: for a broker, registered and unfenced; for a controller,
     * part of a quorum that has a leader. Combined and controller nodes need a majority of the voters
     * starting at the same time, so call this from one thread per node.
     *
     * @throws IllegalStateException when it runs already
     */
    public void start() {
        if (server != null) {
            throw new IllegalStateException("node " + id + " is already running");
        }
        KafkaRaftServer s = new KafkaRaftServer(new KafkaConfig(config, false), Time.SYSTEM);
        server = s;
        try {
            s.startup();
        } catch (RuntimeException e) {
            server = null;
            stopQuietly(s, Duration.ofSeconds(10));
            throw e;
        }
    }

    /**
     * Stops the node: controlled shutdown for a broker, then the controller. Bounded: when the node does
     * not stop in time it is abandoned (its threads may linger) and {@code false} is returned.
     *
     * @param timeout the bound
     * @return whether it stopped within the bound; {@code true} when it was not running
     */
    public boolean stop(Duration timeout) {
        KafkaRaftServer s = server;
        server = null;
        return s == null || stopQuietly(s, timeout);
    }

    private boolean stopQuietly(KafkaRaftServer s, Duration timeout) {
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                s.shutdown();
                s.awaitShutdown();
                stopped.complete(null);
            } catch (Throwable e) {
                stopped.completeExceptionally(e);
            }
        }, "kafkalab-stop-node-" + id);
        t.setDaemon(true);
        t.start();
        try {
            stopped.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            LOG.warn("node {} did not stop within {} ms; abandoning it", id, timeout.toMillis());
            return false;
        } catch (ExecutionException e) {
            LOG.warn("node {} failed while stopping", id, e.getCause());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
