package io.kafkalab.examples;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Where {@code cluster --isolation process} and {@code --zookeeper} find the broker and ZooKeeper jars: the system
 * property {@code kafkalab.kafka.distributions} when set, else the build's {@code kafkalab-testkit/brokers/*}{@code
 * /target/lib} of the repository this app was built in (the launcher's build makes them: the examples' pom depends on
 * those modules). Not thread safe: called once at start.
 */
final class BrokerDistributions {

    static final String PROPERTY = "kafkalab.kafka.distributions";

    private BrokerDistributions() {
    }

    /** Sets {@value #PROPERTY} to the build's directories unless it is set already. */
    static void useDefaultsUnlessSet() {
        String set = System.getProperty(PROPERTY);
        if (set != null && !set.isBlank()) {
            return;
        }
        List<Path> dirs = buildDirectories(repositoryRoot());
        System.setProperty(PROPERTY, dirs.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
    }

    /**
     * @param root the repository's root directory
     * @return its {@code kafkalab-testkit/brokers/<name>/target/lib} directories that exist, by name
     */
    static List<Path> buildDirectories(Path root) {
        Path brokers = root.resolve("kafkalab-testkit").resolve("brokers");
        if (!Files.isDirectory(brokers)) {
            return List.of();
        }
        try (Stream<Path> modules = Files.list(brokers)) {
            return modules.map(m -> m.resolve("target").resolve("lib")).filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + brokers, e);
        }
    }

    /**
     * @return the first directory in {@value #PROPERTY} that holds a ZooKeeper server's jars
     *     ({@code zookeeper-<version>.jar} and no Kafka core jar)
     */
    static java.util.Optional<Path> zooKeeperDirectory() {
        String value = System.getProperty(PROPERTY, "");
        for (String entry : value.split(java.util.regex.Pattern.quote(File.pathSeparator))) {
            if (entry.isBlank() || !Files.isDirectory(Path.of(entry.trim()))) {
                continue;
            }
            Path dir = Path.of(entry.trim());
            try (Stream<Path> files = Files.list(dir)) {
                List<String> names = files.map(f -> f.getFileName().toString()).toList();
                if (names.stream().anyMatch(n -> n.matches("zookeeper-\\d+\\.\\d+\\.\\d+\\.jar"))
                        && names.stream().noneMatch(n -> n.matches("kafka_2\\.1[23]-.*\\.jar"))) {
                    return java.util.Optional.of(dir);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dir, e);
            }
        }
        return java.util.Optional.empty();
    }

    /** @return where each node's log goes: {@code nodes/} in the lab's log directory ({@code kafkalab.log.dir}) */
    static Path nodeLogDirectory() {
        return Path.of(System.getProperty("kafkalab.log.dir", System.getProperty("java.io.tmpdir")), "nodes");
    }

    /** The examples jar (or classes directory) sits in {@code kafkalab-examples/target}. */
    private static Path repositoryRoot() {
        java.security.CodeSource source = BrokerDistributions.class.getProtectionDomain().getCodeSource();
        if (source == null) {
            return Path.of(".");
        }
        try {
            Path root = Path.of(source.getLocation().toURI()).toAbsolutePath();
            for (int up = 0; up < 3 && root.getParent() != null; up++) {
                root = root.getParent();
            }
            return root;
        } catch (URISyntaxException e) {
            return Path.of(".");
        }
    }
}
