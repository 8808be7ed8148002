package io.kafkalab.testkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who writes the archive and when it is published, with processes that stand in for the child JVMs (a real JVM
 * writing a real archive: {@code ForkedClassDataSharingIT}).
 */
class ClassDataSharingTest {

    @TempDir
    Path dir;
    @TempDir
    Path lib;
    private String previous;

    @BeforeEach
    void archivesHere() throws IOException {
        previous = System.getProperty("kafkalab.cds.dir");
        System.setProperty("kafkalab.cds.dir", dir.toString());
        Files.writeString(lib.resolve("kafka.jar"), "not really a jar: only its name, size and time count");
    }

    @AfterEach
    void restore() {
        if (previous == null) {
            System.clearProperty("kafkalab.cds.dir");
        } else {
            System.setProperty("kafkalab.cds.dir", previous);
        }
    }

    private static Path writing(List<String> options) {
        assertThat(options).hasSize(3);
        String option = options.get(0);
        assertThat(option).startsWith("-XX:ArchiveClassesAtExit=");
        return Path.of(option.substring(option.indexOf('=') + 1));
    }

    private static Process exiting(String script) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", script).start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return p;
    }

    @Test
    void oneNodeWritesTheArchiveAndOnceItHasExitedEveryChildMapsIt() throws Exception {
        ClassDataSharing sharing = ClassDataSharing.forClassPath(lib, ParentWatchdogMain.class, List.of("-Xmx64m"));
        assertThat(sharing).isNotNull();
        assertThat(sharing.classPath()).endsWith(lib.resolve("*").toString()).contains("kafkalab-watchdog-");
        assertThat(sharing.jvmOptions(false)).as("a storage format does not write it").isEmpty();

        List<String> first = sharing.jvmOptions(true);
        Path writing = writing(first);
        assertThat(sharing.jvmOptions(true)).as("one writer at a time").isEmpty();
        Files.write(writing, new byte[4096]);
        sharing.started(exiting("exit 143")); // SIGTERM: the JVM writes the archive on its way out

        assertThat(sharing.jvmOptions(false)).containsExactly("-XX:SharedArchiveFile=" + sharing.archive());
        assertThat(sharing.archive()).isRegularFile();
        assertThat(writing).doesNotExist();
        assertThat(sharing.jvmOptions(true)).containsExactly("-XX:SharedArchiveFile=" + sharing.archive());
    }

    @Test
    void aWriterKilledOnItsWayOutPublishesNothingAndTheNextNodeWritesAgain() throws Exception {
        ClassDataSharing sharing = ClassDataSharing.forClassPath(lib, ParentWatchdogMain.class, List.of());
        Path writing = writing(sharing.jvmOptions(true));
        Files.write(writing, new byte[4096]); // cut short, for all anyone knows
        sharing.started(exiting("kill -9 $$"));

        assertThat(writing(sharing.jvmOptions(true))).isNotEqualTo(writing);
        assertThat(sharing.archive()).doesNotExist();
        assertThat(writing).doesNotExist();
    }

    @Test
    void aPublishedArchiveKeepsTheSixNewestOfTheDirectory() throws Exception {
        for (int i = 0; i < 8; i++) {
            Path old = dir.resolve("kafkalab-00000000000000000000000" + i + ".jsa");
            Files.write(old, new byte[1]);
            Files.setLastModifiedTime(old, FileTime.fromMillis(1_000_000L * (i + 1)));
        }
        ClassDataSharing sharing = ClassDataSharing.forClassPath(lib, ParentWatchdogMain.class, List.of());
        Files.write(writing(sharing.jvmOptions(true)), new byte[4096]);
        sharing.started(exiting("exit 0"));
        sharing.publishFinished();

        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".jsa")))
                    .containsExactlyInAnyOrder(sharing.archive().getFileName().toString(),
                            "kafkalab-000000000000000000000007.jsa", "kafkalab-000000000000000000000006.jsa",
                            "kafkalab-000000000000000000000005.jsa", "kafkalab-000000000000000000000004.jsa",
                            "kafkalab-000000000000000000000003.jsa");
        }
    }

    @Test
    void aDirectoryOnTheClassPathOrTheJvmsOwnSharingOptionsTurnItOff() throws Exception {
        assertThat(ClassDataSharing.forClassPath(lib, ParentWatchdogMain.class, List.of("-Xshare:off"))).isNull();
        Files.createDirectory(lib.resolve("classes"));
        assertThat(ClassDataSharing.forClassPath(lib, ParentWatchdogMain.class, List.of())).isNull();
    }
}
