package io.kafkalab.testkit.internal;

import io.kafkalab.testkit.ForkedKafkaCluster.NodeState;
import io.kafkalab.testkit.KafkaClusterException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node in a child JVM of its own, behind {@link ParentWatchdogMain}: a Kafka node
 * ({@code kafka.Kafka <server.properties>}; a KRaft one's storage formatted by {@code kafka.tools.StorageTool} in a
 * child JVM too) or a ZooKeeper server ({@code QuorumPeerMain <zoo.cfg>}), all of its output appended to one log
 * file. Knows its process and whether it is paused; every wait is bounded. Thread safe. Not part of the API.
 */
public final class ForkedNode {

    /** What a node's JVM runs, and whether its storage is formatted first. */
    public enum Kind {
        /** A KRaft broker or controller: {@code kafka-storage.sh format}, then {@code kafka-server-start.sh}. */
        KRAFT("kafka.Kafka", true),
        /** A broker on ZooKeeper: {@code kafka-server-start.sh}; the broker writes its {@code meta.properties}. */
        ZOOKEEPER_BROKER("kafka.Kafka", false),
        /** A ZooKeeper server on its {@code zoo.cfg}, the main class {@code zkServer.sh start} runs. */
        ZOOKEEPER("org.apache.zookeeper.server.quorum.QuorumPeerMain", false);

        private final String mainClass;
        private final boolean formatted;

        Kind(String mainClass, boolean formatted) {
            this.mainClass = mainClass;
            this.formatted = formatted;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(ForkedNode.class);
    private static final Duration SIGNAL_TIMEOUT = Duration.ofSeconds(10);

    private final int id;
    private final Kind kind;
    private final Set<String> roles;
    private final Path logDir;
    private final Path propertiesFile;
    private final Path logFile;
    private final List<String> javaCommand;
    private final Map<String, String> config;
    private final String listener;
    private final ClassDataSharing sharing;
    private Process process;
    private boolean paused;
    private Integer lastExitCode;

    /**
     * @param id          node id
     * @param roles       "broker" or "controller"
     * @param logDir      the node's data directory ({@code log.dirs})
     * @param logFile     where the child's standard output and error go
     * @param javaCommand the java executable, JVM options and class path, up to the main class
     * @param config      complete server properties
     * @param listener    host:port shown in status
     * @param sharing     the class data sharing archive of the class path, or null for none
     */
    public ForkedNode(int id, Set<String> roles, Path logDir, Path logFile, List<String> javaCommand,
                      Map<String, String> config, String listener, ClassDataSharing sharing) {
        this(id, Kind.KRAFT, roles, logDir, logFile, javaCommand, config, listener, sharing);
    }

    /**
     * @param id          node id
     * @param kind        what the JVM runs
     * @param roles       "broker", "controller" or "zookeeper"
     * @param logDir      the node's data directory ({@code log.dirs}, or ZooKeeper's {@code dataDir})
     * @param logFile     where the child's standard output and error go
     * @param javaCommand the java executable, JVM options and class path, up to the main class
     * @param config      complete server properties (or {@code zoo.cfg} entries)
     * @param listener    host:port shown in status
     * @param sharing     the class data sharing archive of the class path, or null for none
     */
    public ForkedNode(int id, Kind kind, Set<String> roles, Path logDir, Path logFile, List<String> javaCommand,
                      Map<String, String> config, String listener, ClassDataSharing sharing) {
        this.id = id;
        this.kind = kind;
        this.roles = Set.copyOf(roles);
        this.logDir = logDir;
        this.propertiesFile = logDir.resolveSibling("node-" + id + ".properties");
        this.logFile = logFile;
        this.javaCommand = List.copyOf(javaCommand);
        this.config = Map.copyOf(config);
        this.listener = listener;
        this.sharing = sharing;
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

    public boolean isZooKeeper() {
        return kind == Kind.ZOOKEEPER;
    }

    public String listener() {
        return listener;
    }

    public Path logFile() {
        return logFile;
    }

    /** @return RUNNING, PAUSED, or STOPPED (never started, stopped, killed, or exited on its own) */
    public synchronized NodeState state() {
        if (process == null || !process.isAlive()) {
            return NodeState.STOPPED;
        }
        return paused ? NodeState.PAUSED : NodeState.RUNNING;
    }

    /** @return the pid while the process lives */
    public synchronized OptionalLong pid() {
        return process != null && process.isAlive() ? OptionalLong.of(process.pid()) : OptionalLong.empty();
    }

    /** @return the exit code of the last process that ended (143 after SIGTERM, 137 after SIGKILL), if any */
    public synchronized OptionalInt lastExitCode() {
        if (process != null && !process.isAlive()) {
            return OptionalInt.of(process.exitValue());
        }
        return lastExitCode == null ? OptionalInt.empty() : OptionalInt.of(lastExitCode);
    }

    /**
     * Empties the node's log file, writes {@code server.properties} and, for a KRaft node whose directory holds no
     * formatted storage yet, runs {@code kafka.tools.StorageTool format -t <clusterId> -c <server.properties>} in a
     * child JVM.
     *
     * @param clusterId  the cluster id
     * @param timeout    bound on the format
     * @param formatArgs more arguments for the format, such as {@code --add-scram} (see {@link SecuredNodes})
     * @throws KafkaClusterException when the format fails or takes longer, with the end of its output
     */
    public void formatIfNeeded(String clusterId, Duration timeout, List<String> formatArgs) {
        try {
            Files.createDirectories(logDir);
            Files.createDirectories(logFile.getParent());
            // a new cluster starts its nodes' logs afresh; the node's later processes append
            Files.writeString(logFile, "", StandardCharsets.UTF_8);
            Properties props = new Properties();
            props.putAll(config);
            try (OutputStream out = Files.newOutputStream(propertiesFile)) {
                props.store(out, "kafkalab forked node " + id);
            }
            if (!kind.formatted || Files.exists(logDir.resolve("meta.properties"))) {
                LOG.debug("node {}: storage in {} already formatted", id, logDir);
                return;
            }
            List<String> args = new ArrayList<>(List.of("format", "-t", clusterId, "-c", propertiesFile.toString()));
            args.addAll(formatArgs);
            Process format = launch(false, "kafka.tools.StorageTool", args.toArray(String[]::new));
            try {
                if (!format.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    format.destroyForcibly().waitFor(SIGNAL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    throw new KafkaClusterException("formatting the storage of node " + id + " did not finish within "
                            + timeout.toMillis() + " ms; " + tail());
                }
            } finally {
                format.getOutputStream().close();
            }
            if (format.exitValue() != 0) {
                throw new KafkaClusterException("formatting the storage of node " + id + " in " + logDir
                        + " failed with code " + format.exitValue() + "; " + tail());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the storage of node " + id + " in " + logDir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaClusterException("interrupted while formatting the storage of node " + id, e);
        }
    }

    /**
     * Starts the node's main class on its properties. Returns at once; readiness is the caller's to wait for (a
     * broker registers with the controller), with {@link #requireAlive(String)} to fail fast.
     *
     * @throws IllegalStateException when the process runs already
     */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("node " + id + " is already running");
        }
        rememberExit();
        try {
            process = launch(true, kind.mainClass, propertiesFile.toString());
            paused = false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node " + id, e);
        }
        LOG.debug("node {} started as pid {}", id, process.pid());
    }

    /**
     * @param what what the caller waits for, for the message
     * @throws KafkaClusterException when the process has exited, with its exit code and the end of its log
     */
    public synchronized void requireAlive(String what) {
        if (process == null || !process.isAlive()) {
            throw new KafkaClusterException("node " + id + " exited" + lastExitCode().stream()
                    .mapToObj(c -> " with code " + c).findFirst().orElse("") + " while waiting for " + what + "; "
                    + tail());
        }
    }

    /**
     * Sends SIGSTOP and waits (Linux: until {@code /proc} shows the process stopped).
     *
     * @throws IllegalStateException when it is not running
     */
    public synchronized void pause() {
        requireState(NodeState.RUNNING, "pause");
        signal("STOP");
        paused = true;
        awaitProcState(true);
    }

    /**
     * Sends SIGCONT and waits until the process runs again.
     *
     * @throws IllegalStateException when it is not paused
     */
    public synchronized void resume() {
        requireState(NodeState.PAUSED, "resume");
        signal("CONT");
        paused = false;
        awaitProcState(false);
    }

    /**
     * Sends SIGKILL (a paused process dies too) and waits for the exit.
     *
     * @param timeout bound on the wait
     * @return whether it exited in time; {@code true} when it was not running
     */
    public synchronized boolean kill(Duration timeout) {
        if (process == null || !process.isAlive()) {
            return true;
        }
        // through the handle: Process.destroy* also closes the child's stdin, and the watchdog would halt it first
        process.toHandle().destroyForcibly();
        return awaitExit(timeout);
    }

    /**
     * Sends SIGTERM, so that Kafka's shutdown hook runs (a broker's controlled shutdown), after SIGCONT when it is
     * paused, and waits for the exit; when it does not exit in time, SIGKILL.
     *
     * @param timeout bound on the graceful part
     * @return whether it exited gracefully in time; {@code true} when it was not running
     */
    public synchronized boolean terminate(Duration timeout) {
        if (process == null || !process.isAlive()) {
            return true;
        }
        if (paused) {
            signal("CONT");
            paused = false;
        }
        // through the handle: Process.destroy() also closes the child's stdin, so the watchdog would halt the JVM
        // (exit 86) before Kafka's shutdown hook could do the controlled shutdown
        process.toHandle().destroy();
        if (awaitExit(timeout)) {
            return true;
        }
        LOG.warn("node {} did not stop within {} ms of SIGTERM; killing it", id, timeout.toMillis());
        kill(SIGNAL_TIMEOUT);
        return false;
    }

    private void requireState(NodeState expected, String action) {
        NodeState now = state();
        if (now != expected) {
            throw new IllegalStateException("cannot " + action + " node " + id + ": it is " + now);
        }
    }

    private boolean awaitExit(Duration timeout) {
        try {
            boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (exited) {
                paused = false;
                closeQuietly(process.getOutputStream());
            }
            return exited;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void rememberExit() {
        if (process != null) {
            lastExitCode = process.exitValue();
            closeQuietly(process.getOutputStream());
        }
    }

    /** Java has no API for SIGSTOP and SIGCONT: {@code kill -STOP <pid>}, bounded. */
    private void signal(String name) {
        String kill = Files.isExecutable(Path.of("/bin/kill")) ? "/bin/kill" : "kill";
        try {
            Process p = new ProcessBuilder(kill, "-" + name, String.valueOf(process.pid()))
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(SIGNAL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new KafkaClusterException("kill -" + name + " " + process.pid() + " did not finish within "
                        + SIGNAL_TIMEOUT.toMillis() + " ms");
            }
            if (p.exitValue() != 0) {
                throw new KafkaClusterException("kill -" + name + " " + process.pid() + " failed: "
                        + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + kill, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaClusterException("interrupted while sending SIG" + name + " to node " + id, e);
        }
    }

    /** Waits until Linux's {@code /proc/<pid>/stat} shows the process stopped (T) or not; elsewhere returns. */
    private void awaitProcState(boolean stopped) {
        Path stat = Path.of("/proc", String.valueOf(process.pid()), "stat");
        if (!Files.exists(stat)) {
            return;
        }
        Wait.until(() -> {
            String s = readQuietly(stat);
            // pid (comm) state ...: the state follows the last ')'
            char state = s.isEmpty() ? '?' : s.charAt(s.lastIndexOf(')') + 2);
            return (state == 'T') == stopped;
        }, SIGNAL_TIMEOUT, () -> "node " + id + " to be " + (stopped ? "stopped" : "running") + " in " + stat);
    }

    /** Publishes the class data sharing archive this node's JVM wrote when it exited, if it did. */
    public void publishClassDataSharing() {
        if (sharing != null) {
            sharing.publishFinished();
        }
    }

    /** @param node whether it runs the node (then it may write the class data sharing archive), not a format */
    private Process launch(boolean node, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(javaCommand);
        List<String> sharingOptions = sharing == null ? List.of() : sharing.jvmOptions(node);
        boolean writesArchive = sharingOptions.stream().anyMatch(o -> o.startsWith("-XX:ArchiveClassesAtExit"));
        command.addAll(1, sharingOptions);
        command.add(ParentWatchdogMain.class.getName());
        command.add(mainClass);
        command.addAll(List.of(args));
        Process started = null;
        // the claim to write the archive is released in finally unless a process that writes it started
        try {
            // SCRAM users' passwords (--add-scram) stay out of the log
            Files.writeString(logFile, "kafkalab: " + String.join(" ", command).replaceAll("password=[^,\\]]*",
                            "password=(hidden)") + System.lineSeparator(),
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            // stdin stays a pipe that this JVM never writes to: the child's watchdog halts it when the pipe closes
            started = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
            return started;
        } finally {
            if (writesArchive) {
                sharing.started(started);
            }
        }
    }

    /** @return the last lines of the node's log file, for error messages */
    public String tail() {
        List<String> lines;
        try {
            lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
        } catch (IOException | UncheckedIOException e) {
            return "its log " + logFile + " cannot be read: " + e;
        }
        return "last lines of " + logFile + ": " + String.join(" | ", lines.subList(Math.max(0, lines.size() - 8),
                lines.size()));
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    private static void closeQuietly(OutputStream out) {
        try {
            out.close();
        } catch (IOException e) {
            // the child is gone
        }
    }
}
