package io.kafkalab.testkit.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A class data sharing archive (the JDK's AppCDS, JEP 350) for the child JVMs of forked clusters that run one
 * directory of jars: the first node of that class path writes the archive when it exits
 * ({@code -XX:ArchiveClassesAtExit}), every later child JVM maps it ({@code -XX:SharedArchiveFile}) instead of loading
 * and verifying the same few thousand classes again. On 2 cores that takes about a quarter off a broker's start (3.2
 * -> 2.3 CPU seconds) and half off a storage format (1.0 -> 0.5).
 *
 * <p>Archives live in {@code kafkalab.cds.dir} (default {@code <java.io.tmpdir>/kafkalab-cds}), named by a digest of the
 * JDK and of every jar's name, size and modification time, so a rebuilt distribution or another JDK gets its own. A
 * class path with a directory on it (the JVM's own, in a build) cannot be archived: {@link #forClassPath} says no.
 * {@code -Dkafkalab.cds=false} turns it off. The JVM checks an archive against its class path before it maps it and
 * runs without one when they differ, so a wrong archive costs time, never correctness.
 *
 * <p>Thread safe; one instance per archive in this JVM. Several JVMs may write the same archive at once: each writes
 * its own file and the first to finish publishes it.
 */
public final class ClassDataSharing {

    private static final Logger LOG = LoggerFactory.getLogger(ClassDataSharing.class);
    private static final Map<Path, ClassDataSharing> ARCHIVES = new ConcurrentHashMap<>();
    private static final AtomicInteger DUMPS = new AtomicInteger();
    /** Exit code of a JVM killed by SIGKILL: it may have died while writing the archive. */
    private static final int KILLED = 128 + 9;
    /** Archives kept in the directory. */
    private static final int KEPT = 6;

    private final Path archive;
    private final String classPath;
    /** The process writing the archive now, or null; guarded by this. */
    private Process writer;
    /** Where a child was told to write the archive, or null when none was (the claim to write); guarded by this. */
    private Path writing;

    private ClassDataSharing(Path archive, String classPath) {
        this.archive = archive;
        this.classPath = classPath;
    }

    /**
     * @param libDirectory the directory of jars the child JVMs run
     * @param watchdog     the class that starts every child JVM (it goes into a jar beside the archives)
     * @param jvmOptions   the children's JVM options: any option of the JVM's own sharing turns this off
     * @return the archive for that class path, or null when it is turned off or cannot be used
     */
    public static ClassDataSharing forClassPath(Path libDirectory, Class<?> watchdog, List<String> jvmOptions) {
        if (!Boolean.parseBoolean(System.getProperty("kafkalab.cds", "true"))
                || jvmOptions.stream().anyMatch(o -> o.startsWith("-Xshare") || o.contains("SharedArchiveFile")
                || o.contains("ArchiveClassesAtExit"))) {
            return null;
        }
        try {
            Path dir = Path.of(System.getProperty("kafkalab.cds.dir",
                    Path.of(System.getProperty("java.io.tmpdir"), "kafkalab-cds").toString()));
            Files.createDirectories(dir);
            Path jar = watchdogJar(dir, watchdog);
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            update(digest, System.getProperty("java.home"), System.getProperty("java.vm.version"));
            for (Path entry : List.of(jar, libDirectory)) {
                List<Path> files = new ArrayList<>();
                if (Files.isDirectory(entry)) {
                    try (DirectoryStream<Path> jars = Files.newDirectoryStream(entry)) {
                        jars.forEach(files::add);
                    }
                } else {
                    files.add(entry);
                }
                files.sort(null);
                for (Path f : files) {
                    if (Files.isDirectory(f)) {
                        return null; // the JVM cannot archive a class path with a directory on it
                    }
                    BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                    update(digest, f.toString(), a.size() + "@" + a.lastModifiedTime().toMillis());
                }
            }
            String name = "kafkalab-" + HexFormat.of().formatHex(digest.digest(), 0, 12) + ".jsa";
            String classPath = jar + java.io.File.pathSeparator + libDirectory.resolve("*");
            return ARCHIVES.computeIfAbsent(dir.resolve(name), p -> new ClassDataSharing(p, classPath));
        } catch (IOException | UncheckedIOException e) {
            LOG.debug("no class data sharing for {}: {}", libDirectory, e.toString());
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void update(MessageDigest digest, String... values) {
        for (String v : values) {
            digest.update(Objects.toString(v).getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
        }
    }

    /** The watchdog class in a jar of its own, written once: the archive records the jar's size and time. */
    private static Path watchdogJar(Path dir, Class<?> watchdog) throws IOException {
        String entry = watchdog.getName().replace('.', '/') + ".class";
        byte[] bytes;
        try (InputStream in = watchdog.getClassLoader().getResourceAsStream(entry)) {
            bytes = Objects.requireNonNull(in, entry).readAllBytes();
        }
        String hash;
        try {
            hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Path jar = dir.resolve("kafkalab-watchdog-" + hash + ".jar");
        if (Files.exists(jar)) {
            return jar;
        }
        Path tmp = Files.createTempFile(dir, "kafkalab-watchdog-", ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp); JarOutputStream jarOut = new JarOutputStream(out)) {
            JarEntry e = new JarEntry(entry);
            e.setTime(0);
            jarOut.putNextEntry(e);
            jarOut.write(bytes);
            jarOut.closeEntry();
        }
        publish(tmp, jar);
        return jar;
    }

    /** Moves {@code from} to {@code to} unless {@code to} exists already (then another JVM was first). */
    private static void publish(Path from, Path to) throws IOException {
        try {
            try {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(from, to);
            }
        } catch (FileAlreadyExistsException e) {
            // another JVM published it first
        } finally {
            Files.deleteIfExists(from);
        }
    }

    /**
     * Keeps the {@value #KEPT} newest archives of the directory: each rebuild of a distribution's jars makes a new one
     * (about 50 MB). A JVM that maps one still reads it after it is deleted.
     */
    private static void deleteOldArchives(Path dir) {
        try (var files = Files.list(dir)) {
            List<Path> archives = files.filter(f -> f.getFileName().toString().matches("kafkalab-[0-9a-f]+\\.jsa"))
                    .sorted(java.util.Comparator.comparing(ClassDataSharing::modified).reversed()).toList();
            for (Path old : archives.subList(Math.min(KEPT, archives.size()), archives.size())) {
                Files.deleteIfExists(old);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.debug("old class data sharing archives in {} not deleted: {}", dir, e.toString());
        }
    }

    private static long modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /** @return the class path the child JVMs run: the watchdog's jar, then the distribution's jars */
    public String classPath() {
        return classPath;
    }

    /** @return where the archive is (it may not exist yet) */
    public Path archive() {
        return archive;
    }

    /**
     * The options for a child JVM about to start: map the archive when it exists; else, when {@code mayWrite} and no
     * other child of this JVM is writing it, write it at exit (then call {@link #started} with the process).
     *
     * @param mayWrite whether this child runs long enough to be worth archiving (a node, not a storage format)
     * @return JVM options, possibly none
     */
    public synchronized List<String> jvmOptions(boolean mayWrite) {
        publishFinished();
        if (Files.exists(archive)) {
            return List.of("-XX:SharedArchiveFile=" + archive);
        }
        if (!mayWrite || writing != null) {
            return List.of();
        }
        writing = archive.resolveSibling(archive.getFileName() + "." + ProcessHandle.current().pid() + "-"
                + DUMPS.incrementAndGet() + ".tmp");
        // the JVM warns about classes it cannot archive on its standard output, which is the node's log
        return List.of("-XX:ArchiveClassesAtExit=" + writing, "-Xlog:cds=error", "-Xlog:cds+dynamic=error");
    }

    /**
     * @param process the child started with the options to write the archive that {@link #jvmOptions} returned, or
     *                null when it did not start (the claim to write is released)
     */
    public synchronized void started(Process process) {
        writer = process;
        if (process == null) {
            writing = null;
        }
    }

    /** Publishes an archive whose writer has exited, unless it was killed (the file may be cut short). */
    public synchronized void publishFinished() {
        if (writer == null || writer.isAlive()) {
            return;
        }
        try {
            if (writer.exitValue() != KILLED && Files.exists(writing) && Files.size(writing) > 0) {
                publish(writing, archive);
                LOG.debug("class data sharing archive {} written", archive);
                deleteOldArchives(archive.getParent());
            } else {
                Files.deleteIfExists(writing);
            }
        } catch (IOException e) {
            LOG.debug("class data sharing archive {} not published: {}", archive, e.toString());
        } finally {
            writer = null;
            writing = null;
        }
    }
}
