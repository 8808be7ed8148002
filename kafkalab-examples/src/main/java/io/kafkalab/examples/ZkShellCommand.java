package io.kafkalab.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kafkalab zk-shell}: seed 004's {@code zkCli.sh -server 127.0.0.1:2181}, that is ZooKeeper's own
 * {@code org.apache.zookeeper.ZooKeeperMain} in a child JVM on the ZooKeeper jars the build resolved: on this
 * process's own terminal when it reads {@code System.in}, else with its input and output passed through.
 */
@Command(name = "zk-shell", mixinStandardHelpOptions = true,
        description = {"ZooKeeper's shell (zkCli.sh) on the ZooKeeper of ./kafkalab cluster --zookeeper: "
                + "ls /brokers/ids, get /controller, quit.",
            "Runs org.apache.zookeeper.ZooKeeperMain from the build's ZooKeeper jars in a JVM of its own."})
final class ZkShellCommand implements Callable<Integer> {

    @Option(names = "--server", defaultValue = "127.0.0.1:2181",
            description = "ZooKeeper's host:port, the zookeeper.connect=... line of cluster --zookeeper "
                    + "(default: ${DEFAULT-VALUE}).")
    String server;

    @picocli.CommandLine.ParentCommand
    KafkaLab root;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        BrokerDistributions.useDefaultsUnlessSet();
        Path lib = BrokerDistributions.zooKeeperDirectory().orElseThrow(() -> new IllegalArgumentException(
                "no ZooKeeper jars in " + System.getProperty(BrokerDistributions.PROPERTY)
                        + "; build them with ./kafkalab (kafkalab-testkit/brokers/zookeeper-*/target/lib)"));
        // ZooKeeper logs through Logback, whose default is DEBUG on the console: warnings only, as in a shell
        Path logging = Files.createTempFile("kafkalab-zk-shell-", ".xml");
        logging.toFile().deleteOnExit();
        Files.writeString(logging, "<configuration><appender name=\"err\" class=\"ch.qos.logback.core.ConsoleAppender\">"
                + "<target>System.err</target><encoder><pattern>%p %m%n</pattern></encoder></appender>"
                + "<root level=\"WARN\"><appender-ref ref=\"err\"/></root></configuration>");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dlogback.configurationFile=" + logging,
                "-cp", lib.resolve("*").toString(),
                "org.apache.zookeeper.ZooKeeperMain", "-server", server);
        if (root.in == System.in) {
            // the launcher's own terminal: the shell reads it itself, with its line editor and history
            return new ProcessBuilder(command).inheritIO().start().waitFor();
        }
        Process shell = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread input = new Thread(() -> pump(root.in, shell.getOutputStream()), "kafkalab-zk-shell-input");
        input.setDaemon(true);
        input.start();
        java.io.PrintWriter out = spec.commandLine().getOut();
        try (Reader reader = new InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8)) {
            char[] buffer = new char[4096];
            int n;
            while ((n = reader.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
            }
        }
        return shell.waitFor();
    }

    /** Copies the user's input to the shell, and closes the shell's input when the user's ends. */
    private static void pump(InputStream from, OutputStream to) {
        try (to) {
            byte[] buffer = new byte[4096];
            int n;
            while ((n = from.read(buffer)) >= 0) {
                to.write(buffer, 0, n);
                to.flush();
            }
        } catch (IOException e) {
            // the shell has exited
        }
    }
}
