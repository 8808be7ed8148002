package io.kafkalab.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A main class run in a child JVM on this JVM's class path, for tests that must kill a client for real
 * (SIGKILL: no close, no commit, no leave-group) or stop it with SIGTERM. Collects the lines it prints on
 * stdout, and the last lines of stderr for the failure messages; {@link #awaitLine} fails at once when the
 * process ends its output without the line.
 *
 * <pre>{@code
 * try (JvmProcess consumer = JvmProcess.start(MyConsumerMain.class, servers, topic)) {
 *     consumer.awaitLine(l -> l.startsWith("processed 25"), Duration.ofSeconds(30));
 *     consumer.kill();
 * }
 * }</pre>
 *
 * <p>Thread safe. {@link #close()} kills the process if it still runs.
 */
public final class JvmProcess implements AutoCloseable {

    /** Lines of standard error kept for failure messages (the last ones). */
    private static final int ERROR_LINES = 50;

    private final Process process;
    /** Standard output, every line; guarded by itself, notified on each line and at its end. */
    private final List<String> lines = new ArrayList<>();
    /** The last {@link #ERROR_LINES} lines of standard error; guarded by {@link #lines}. */
    private final java.util.ArrayDeque<String> errors = new java.util.ArrayDeque<>();
    /** Standard output has ended (the process closed it or exited); guarded by {@link #lines}. */
    private boolean ended;
    private final Thread reader;

    private JvmProcess(Process process) {
        this.process = process;
        this.reader = new Thread(this::read, "jvm-process-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        Thread errorReader = new Thread(this::readErrors, "jvm-process-stderr-" + process.pid());
        errorReader.setDaemon(true);
        errorReader.start();
    }

    /**
     * The options of {@link #start(Class, String...)}: a small heap, and a JVM that starts fast and spends little CPU
     * on compiling (C1 only, serial GC), as suits a child that lives for one test. For a child that carries load, pass
     * options of your own.
     */
    public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1");

    /**
     * Starts {@code mainClass} in a new JVM ({@link #DEFAULT_JVM_OPTIONS}) with this JVM's class path.
     *
     * @param mainClass the class with {@code main}
     * @param args      its arguments
     * @return the running process
     */
    public static JvmProcess start(Class<?> mainClass, String... args) {
        return start(DEFAULT_JVM_OPTIONS, mainClass, args);
    }

    /**
     * Starts {@code mainClass} in a new JVM with the given JVM options and this JVM's class path.
     *
     * @param jvmOptions for example {@code -Dlog4j2.configurationFile=...}
     * @param mainClass  the class with {@code main}
     * @param args       its arguments
     * @return the running process
     */
    public static JvmProcess start(List<String> jvmOptions, Class<?> mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(List.of(args));
        try {
            return new JvmProcess(new ProcessBuilder(command).start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + mainClass.getName(), e);
        }
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // the process is gone
        } finally {
            synchronized (lines) {
                ended = true;
                lines.notifyAll();
            }
        }
    }

    private void readErrors() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (lines) {
                    if (errors.size() == ERROR_LINES) {
                        errors.removeFirst();
                    }
                    errors.addLast(line);
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    /** @return a copy of the lines printed so far (all of them once {@link #kill()} or {@link #terminate} returned) */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /**
     * Waits until a printed line matches.
     *
     * @param matcher the condition
     * @param timeout the bound
     * @return the first matching line
     * @throws AssertionError when none matches in time, with what was printed
     */
    public String awaitLine(Predicate<String> matcher, Duration timeout) {
        Objects.requireNonNull(matcher, "matcher");
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (true) {
                for (String l : lines) {
                    if (matcher.test(l)) {
                        return l;
                    }
                }
                long leftMillis = (deadline - System.nanoTime()) / 1_000_000;
                if (ended) {
                    // nothing more will come: say so now, with what it wrote to standard error
                    throw new AssertionError("the process ended its output without a matching line"
                            + exitSuffix() + "; printed: " + lines.subList(Math.max(0, lines.size() - 20),
                            lines.size()) + "; standard error: " + errors);
                }
                if (leftMillis <= 0) {
                    throw new AssertionError("no matching line within " + timeout.toMillis() + " ms; printed: "
                            + lines.subList(Math.max(0, lines.size() - 20), lines.size()) + "; standard error: "
                            + errors);
                }
                try {
                    lines.wait(leftMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
        }
    }

    /** Sends SIGKILL and waits (up to 30 s) until the process is gone. */
    public void kill() {
        // through the ProcessHandle: Process.destroy* also closes our end of the child's stdout, losing the
        // lines it printed last
        process.toHandle().destroyForcibly();
        waitFor(Duration.ofSeconds(30));
    }

    /**
     * Sends SIGTERM (shutdown hooks run) and waits.
     *
     * @param timeout how long to wait for the exit
     * @return whether it exited in time
     */
    public boolean terminate(Duration timeout) {
        process.toHandle().destroy();
        return waitFor(timeout);
    }

    /** @return the exit code; the process must have exited */
    public int exitValue() {
        return process.exitValue();
    }

    /** Waits for the exit, then for the reader to drain what the process printed before it. */
    private boolean waitFor(Duration timeout) {
        try {
            boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (exited) {
                reader.join(5_000);
            }
            return exited;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    private String exitSuffix() {
        try {
            return process.waitFor(2, java.util.concurrent.TimeUnit.SECONDS) ? " (exit code " + process.exitValue() + ")"
                    : " (still running)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
