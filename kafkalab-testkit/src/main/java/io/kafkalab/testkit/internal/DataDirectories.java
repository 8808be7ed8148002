package io.kafkalab.testkit.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A cluster's data directory: the cluster id a kept one was formatted with, and deleting a temporary one. */
public final class DataDirectories {

    private static final Logger LOG = LoggerFactory.getLogger(DataDirectories.class);

    private DataDirectories() {
    }

    /**
     * @param dataDir a cluster's data directory, one subdirectory per node
     * @return the {@code cluster.id} of the first node's {@code meta.properties}, when a node was formatted
     */
    public static Optional<String> existingClusterId(Path dataDir) {
        try (Stream<Path> dirs = Files.list(dataDir)) {
            for (Path meta : dirs.map(d -> d.resolve("meta.properties")).filter(Files::exists).toList()) {
                Properties p = new Properties();
                try (InputStream in = Files.newInputStream(meta)) {
                    p.load(in);
                }
                if (p.getProperty("cluster.id") != null) {
                    return Optional.of(p.getProperty("cluster.id"));
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the data directory " + dataDir, e);
        }
    }

    /**
     * Deletes a directory tree; what cannot be deleted is logged, not thrown.
     *
     * @param root the directory
     */
    public static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.warn("cannot delete {}: {}", p, e.toString());
                }
            });
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", root, e.toString());
        }
    }
}
