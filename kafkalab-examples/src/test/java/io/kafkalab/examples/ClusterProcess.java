package io.kafkalab.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code kafkalab <args>} from the packaged jar in a JVM of its own, as a user runs it: its stdout read line by line,
 * its stdin written, its stderr in {@code stderr.txt} of the log directory.
 */
final class ClusterProcess implements AutoCloseable {

    private final Process process;
    private final Path logDir;
    private final long timeoutSeconds;
    private final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
    private final List<String> allStdout = new ArrayList<>();
    private final Writer stdin;

    private ClusterProcess(Process process, Path logDir, long timeoutSeconds) {
        this.process = process;
        this.logDir = logDir;
        this.timeoutSeconds = timeoutSeconds;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (allStdout) {
                        allStdout.add(line);
                    }
                    stdout.add(line);
                }
            } catch (IOException e) {
                stdout.add("<stdout failed: " + e + ">");
            }
        }, "cluster-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * @param logDir         the app's {@code kafkalab.log.dir}, and where its stderr goes
     * @param timeoutSeconds bound on each {@link #nextLine()}
     * @param args           the command line after the jar
     * @return the running app
     */
    static ClusterProcess start(Path logDir, long timeoutSeconds, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx1g", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", // as ./kafkalab runs all but http
                "-Dkafkalab.log.dir=" + logDir, "-jar",
                System.getProperty("kafkalab.examples.jar")));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(logDir.resolve("stderr.txt").toFile()).start();
        return new ClusterProcess(process, logDir, timeoutSeconds);
    }

    Process process() {
        return process;
    }

    void send(String command) throws IOException {
        stdin.write(command + "\n");
        stdin.flush();
    }

    /** @return the next line on stdout, failing the test (with stderr) when none comes within the timeout */
    String nextLine() throws InterruptedException, IOException {
        String line = stdout.poll(timeoutSeconds, TimeUnit.SECONDS);
        assertThat(line).as("a line on stdout within %d s; stderr:%n%s", timeoutSeconds, stderr()).isNotNull();
        return line;
    }

    /** @return the next {@code n} lines */
    List<String> nextLines(int n) throws InterruptedException, IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lines.add(nextLine());
        }
        return lines;
    }

    /** @return every stdout line so far */
    List<String> allStdout() {
        synchronized (allStdout) {
            return List.copyOf(allStdout);
        }
    }

    String stderr() throws IOException {
        return Files.readString(logDir.resolve("stderr.txt"));
    }

    /** Kills what is left of the app (its children end with it: they watch its pipe). */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
