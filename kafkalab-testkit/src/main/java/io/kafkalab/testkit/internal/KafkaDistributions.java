package io.kafkalab.testkit.internal;

import io.kafkalab.testkit.KafkaClusterException;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where the broker jars of a Kafka version are: directories of jars, such as the build's
 * {@code brokers/kafka-*}{@code /target/lib} or the {@code libs/} of an unpacked Kafka download, listed in the system
 * property {@value #PROPERTY} (separated by the platform's path separator). A directory's version is read from the
 * name of the Kafka core jar in it ({@code kafka_2.13-3.9.1.jar}). A directory with a ZooKeeper jar
 * ({@code zookeeper-3.9.5.jar}) and no Kafka core jar is a ZooKeeper server's, such as the build's
 * {@code brokers/zookeeper-*}{@code /target/lib} or the {@code lib/} of an unpacked ZooKeeper download. Not part of
 * the API.
 */
public final class KafkaDistributions {

    /** The system property that lists the directories. */
    public static final String PROPERTY = "kafkalab.kafka.distributions";

    private static final Pattern CORE_JAR = Pattern.compile("kafka_2\\.1[23]-(\\d+\\.\\d+\\.\\d+)\\.jar");
    private static final Pattern ZOOKEEPER_JAR = Pattern.compile("zookeeper-(\\d+\\.\\d+\\.\\d+)\\.jar");

    private KafkaDistributions() {
    }

    /**
     * @param version a Kafka version, such as {@code 3.9.1}
     * @return the directory listed in {@value #PROPERTY} that holds that version's core jar, if any
     */
    public static Optional<Path> find(String version) {
        return listed().stream().filter(dir -> versionOf(dir).filter(version::equals).isPresent()).findFirst();
    }

    /**
     * @param version a Kafka version
     * @return its directory
     * @throws KafkaClusterException naming the version and where it looked, when none holds it
     */
    public static Path require(String version) {
        return find(version).orElseThrow(() -> new KafkaClusterException("no broker jars of Kafka " + version
                + ": none of the directories in the system property " + PROPERTY + " " + listed()
                + " holds kafka_2.13-" + version + ".jar (the build copies them into"
                + " kafkalab-testkit/brokers/kafka-*/target/lib); or give a directory with classPath(dir)"));
    }

    /**
     * The class path of a ZooKeeper server for brokers of the given directory: the first directory listed in
     * {@value #PROPERTY} that is a ZooKeeper server's, else the Kafka directory itself when it holds the ZooKeeper
     * jar its brokers connect with (as a Kafka 3.x download, whose {@code zookeeper-server-start.sh} runs it).
     *
     * @param kafkaDir the brokers' directory of jars
     * @return the directory
     * @throws KafkaClusterException naming where it looked, when there is none
     */
    public static Path requireZooKeeper(Path kafkaDir) {
        return listed().stream()
                .filter(dir -> zooKeeperVersionOf(dir).isPresent() && versionOf(dir).isEmpty()).findFirst()
                .or(() -> zooKeeperVersionOf(kafkaDir).map(v -> kafkaDir))
                .orElseThrow(() -> new KafkaClusterException("no ZooKeeper server jars: none of the directories in"
                        + " the system property " + PROPERTY + " " + listed() + " holds zookeeper-<version>.jar"
                        + " without a Kafka core jar (the build copies them into"
                        + " kafkalab-testkit/brokers/zookeeper-*/target/lib), and " + kafkaDir + " has none either"));
    }

    /**
     * @param dir a directory of jars
     * @return the Kafka version of its core jar, if it has one
     */
    public static Optional<String> versionOf(Path dir) {
        return jarVersion(dir, CORE_JAR);
    }

    /**
     * @param dir a directory of jars
     * @return the ZooKeeper version of its {@code zookeeper-<version>.jar}, if it has one
     */
    public static Optional<String> zooKeeperVersionOf(Path dir) {
        return jarVersion(dir, ZOOKEEPER_JAR);
    }

    private static Optional<String> jarVersion(Path dir, Pattern jar) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> jar.matcher(f.getFileName().toString())).filter(Matcher::matches)
                    .map(m -> m.group(1)).findFirst();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static List<Path> listed() {
        String value = System.getProperty(PROPERTY, "");
        List<Path> dirs = new ArrayList<>();
        for (String entry : value.split(Pattern.quote(File.pathSeparator))) {
            if (!entry.isBlank()) {
                dirs.add(Path.of(entry.trim()));
            }
        }
        return dirs;
    }
}
