package io.kafkalab.segment;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkalab.producer.DeliveryGuarantee;
import io.kafkalab.producer.Producers;
import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The memory claims of reassembly, measured in the heap of a consumer in its own JVM rather than in the
 * reassembler's own accounting: a message's bytes are held once (32 MiB reassemble in a heap of 80), and a flood of
 * incomplete messages costs the heap no more than {@code maxBufferedBytes}.
 */
@KafkaTest(brokers = 3)
class ReassemblyHeapIT {

    private static final Logger LOG = LoggerFactory.getLogger(ReassemblyHeapIT.class);
    private static final int MIB = 1024 * 1024;

    @Test
    void aThirtyTwoMebibyteMessageReassemblesInAHeapOfEighty(KafkaCluster cluster, @TempDir Path dir)
            throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("heap-large");
        cluster.createTopic(topic, 1, 2);
        byte[] message = new byte[32 * MIB];
        new Random(32).nextBytes(message);
        try (Producer<String, byte[]> producer = Producers.create(DeliveryGuarantee.AT_LEAST_ONCE,
                cluster.adminConfig(), new StringSerializer(), new ByteArraySerializer())) {
            new SegmentingProducer<>(producer).send(topic, "large", message).get(60, TimeUnit.SECONDS);
        }

        // the core-api.md claim: a message's bytes are held once. Under G1 (the default collector) the 32 MiB array
        // takes 33 contiguous 1 MiB regions and the consumer itself about 15 MiB more (its fetch buffers and each
        // 512 KiB segment are humongous too, one region each), so 80 MiB leaves some 30 MiB to spare; a reassembler
        // that also kept the segments would need 64 more regions. At -Xmx64m the spare was some 16 MiB, and a
        // loaded CI machine once ran out of it.
        Child child = Child.run(dir, List.of("-Xmx80m", "-XX:+UseG1GC"), cluster, topic, 64L * MIB, 1);

        assertThat(child.exitCode).as("exit code of the consumer with -Xmx80m (3: out of memory); it printed %s",
                child.lines).isZero();
        assertThat(child.lines).anySatisfy(l -> assertThat(l)
                .startsWith("delivered " + message.length + " " + Segments.crc32c(message) + " "));
    }

    @Test
    void aFloodOfIncompleteMessagesCostsTheHeapNoMoreThanTheBufferBound(KafkaCluster cluster, @TempDir Path dir)
            throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("heap-flood");
        cluster.createTopic(topic, 1, 2);
        long bound = 8L * MIB;
        int flood = 100;
        try (Producer<String, byte[]> raw = new KafkaProducer<>(cluster.adminConfig(), new StringSerializer(),
                new ByteArraySerializer())) {
            SegmentingProducer<String> segmenting = new SegmentingProducer<>(raw);
            segmenting.send(topic, "k", "start".getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
            // each claims 1 MiB in 16 segments and sends only its first 64 KiB: 6.4 MB sent, 100 MiB claimed
            for (int i = 0; i < flood; i++) {
                RecordHeaders first = new RecordHeaders();
                new SegmentHeader(SegmentHeader.FORMAT_VERSION, UUID.randomUUID(), 0, 16, MIB, 0).writeTo(first);
                raw.send(new ProducerRecord<>(topic, 0, "k", new byte[64 * 1024], first));
            }
            segmenting.send(topic, "k", "end".getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
        }

        // the serial collector's heap in use after a full collection is the bytes live; G1's counts whole regions,
        // and an array of 1 MiB and its header takes two of its 1 MiB regions
        Child child = Child.run(dir, List.of("-Xmx64m", "-XX:+UseSerialGC"), cluster, topic, bound, 2);

        assertThat(child.exitCode).as("exit code of the consumer with -Xmx64m (3: out of memory); it printed %s",
                child.lines).isZero();
        List<String> delivered = child.lines.stream().filter(l -> l.startsWith("delivered ")).toList();
        assertThat(delivered).hasSize(2);
        long before = field(delivered.get(0), "live");
        long after = field(delivered.get(1), "live");
        LOG.info("flood of {} incomplete 1 MiB messages, buffer bound {} MiB: live heap {} -> {} MiB, {} dropped",
                flood, bound / MIB, before / MIB, after / MIB, field(delivered.get(1), "dropped"));
        assertThat(field(delivered.get(1), "dropped")).as("evicted: the buffer holds 8 of them")
                .isGreaterThanOrEqualTo(flood - 8);
        // what the flood left live is the incomplete messages the buffer keeps (at most the bound) and the
        // consumer's fetch buffers (1 MiB per partition)
        assertThat(after - before).as("live heap after the flood minus before it, bound %d", bound)
                .isLessThanOrEqualTo(bound + 3L * MIB);
    }

    private static long field(String line, String name) {
        for (String part : line.split(" ")) {
            if (part.startsWith(name + "=")) {
                return Long.parseLong(part.substring(name.length() + 1));
            }
        }
        throw new AssertionError("no " + name + " in " + line);
    }

    /** {@link ChildHeapMain} run to its end; stdout and stderr (where the JVM says it ran out of memory). */
    private record Child(int exitCode, List<String> lines) {
        static Child run(Path dir, List<String> heap, KafkaCluster cluster, String topic, long maxBuffered, int messages)
                throws IOException, InterruptedException {
            Path out = dir.resolve("child.out");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(heap);
            Path gc = dir.resolve("gc.log");
            command.add("-Xlog:gc*:file=" + gc);
            command.addAll(List.of("-XX:+ExitOnOutOfMemoryError", "-Dlog4j2.configurationFile=log4j2-child.xml",
                    "-cp", System.getProperty("java.class.path"), ChildHeapMain.class.getName(),
                    cluster.bootstrapServers(), topic, KafkaTestUtils.uniqueGroup("heap"),
                    String.valueOf(maxBuffered), String.valueOf(messages)));
            long begin = System.nanoTime();
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            try {
                if (!p.waitFor(150, TimeUnit.SECONDS)) {
                    throw new AssertionError("the child did not end within 150 s; it printed "
                            + Files.readAllLines(out));
                }
            } finally {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            LOG.info("child {} ran {} ms: {}", heap, (System.nanoTime() - begin) / 1_000_000, Files.readAllLines(out));
            List<String> lines = new ArrayList<>(Files.readAllLines(out));
            if (p.exitValue() != 0 && Files.exists(gc)) {
                // what the collector last did, for a failure's message: the heap before and after, humongous regions
                List<String> log = Files.readAllLines(gc).stream()
                        .filter(l -> l.contains("Pause") || l.contains("Humongous regions")).toList();
                lines.add("gc log, last lines: " + log.subList(Math.max(0, log.size() - 8), log.size()));
            }
            return new Child(p.exitValue(), lines);
        }
    }
}
