package io.kafkalab.bench;

import io.kafkalab.bench.Variants.Measurement;
import io.kafkalab.testkit.KafkaCluster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Comparison 5, peers from Debian, when installed ({@code kafkalab-bench/install-peers.sh} installs them):
 * {@code kcat} (librdkafka) and kafka-python (the lab's own client, with Debian's {@code /usr/bin/python3}),
 * producing and consuming {@code peerRecords} records of 100 bytes beside the raw Java client on the same
 * cluster. Produce: the AT_LEAST_ONCE guarantee everywhere (kafka-python 2.0.2 has no idempotence: the lab's
 * acks=all, retries=5). Consume: from the beginning, no group commits. A peer's time is measured inside it
 * from its first send (or first record) where it can, else the process's wall time (kcat, which starts in
 * milliseconds).
 */
final class PeerBench {

    static final Path PYTHON = Path.of("/usr/bin/python3");

    private PeerBench() {
    }

    /** @return whether kcat is on the PATH */
    static boolean kcat() {
        return run(List.of("kcat", "-V"), Duration.ofSeconds(10)).exit == 0;
    }

    /** @return whether Debian's python3 can import kafka-python */
    static boolean kafkaPython() {
        return Files.isExecutable(PYTHON)
                && run(List.of(PYTHON.toString(), "-c", "import kafka"), Duration.ofSeconds(30)).exit == 0;
    }

    /** The row of kafkalab's producer path among the peers. */
    static final String KAFKALAB = "kafkalab AT_LEAST_ONCE";

    static List<Row> run(KafkaCluster cluster, BenchSettings s, Variants.Progress progress) throws Exception {
        boolean kcat = kcat();
        boolean python = kafkaPython();
        if (!kcat) {
            progress.line("  peers: kcat not installed, skipped (kafkalab-bench/install-peers.sh)");
        }
        if (!python) {
            progress.line("  peers: kafka-python not importable by /usr/bin/python3, skipped"
                    + " (kafkalab-bench/install-peers.sh)");
        }
        int n = s.peerRecords();
        Path lines = Files.createTempFile("kafkalab-kcat-", ".txt");
        Path script = Files.createTempFile("kafkalab-lab-peer-", ".py");
        try {
            Files.writeString(lines, ("y".repeat(BenchSettings.VALUE_BYTES) + "\n").repeat(n));
            try (InputStream in = PeerBench.class.getResourceAsStream("lab_peer.py")) {
                Files.write(script, in.readAllBytes());
            }
            List<Row> rows = new ArrayList<>();
            Variants produce = new Variants("peers produce")
                    .add("raw java", "KafkaProducer, the AT_LEAST_ONCE preset's settings",
                            r -> ProduceBench.rawPreset(cluster, n, Payloads.topic(cluster, "produce")))
                    .add(KAFKALAB, "Producers.create(AT_LEAST_ONCE) + SendTracker: acks=all, idempotence",
                            r -> ProduceBench.kafkalabPreset(cluster, n, Payloads.topic(cluster, "peer-kafkalab")));
            if (kcat) {
                produce.add("kcat", "kcat -P, librdkafka with enable.idempotence=true acks=all", r -> {
                    String topic = Payloads.topic(cluster, "peer-kcat");
                    return timed(n, List.of("kcat", "-P", "-b", cluster.bootstrapServers(), "-t", topic,
                            "-X", "enable.idempotence=true", "-X", "acks=all", "-l", lines.toString()));
                });
            }
            if (python) {
                produce.add("kafka-python", "the lab's producer loop: acks=all, retries=5, JSON values, one flush",
                        r -> python(script, "produce", cluster.bootstrapServers(),
                                Payloads.topic(cluster, "peer-python"), n));
            }
            // warm-up excluded on every side: uncounted rounds of each variant first (the JVM's JIT; for kcat and
            // kafka-python the page cache of their input); kcat's and kafka-python's times include their process
            // start and first metadata fetch, the Java producers' their first metadata fetch
            rows.addAll(produce.run(s.repeats(), s.warmUpRounds(), progress));
            String source = Payloads.topic(cluster, "peer-source");
            ProduceBench.rawPreset(cluster, n, source);
            Variants consume = new Variants("peers consume")
                    .add("raw java", "KafkaConsumer, all partitions assigned, from the beginning",
                            r -> rawConsume(cluster, source, n));
            if (kcat) {
                consume.add("kcat", "kcat -C -o beginning -e", r -> timed(n, List.of("kcat", "-C", "-q", "-b",
                        cluster.bootstrapServers(), "-t", source, "-o", "beginning", "-e", "-c",
                        String.valueOf(n))));
            }
            if (python) {
                consume.add("kafka-python", "the lab's consumer loop, auto_offset_reset=earliest",
                        r -> python(script, "consume", cluster.bootstrapServers(), source, n));
            }
            rows.addAll(consume.run(s.repeats(), 0, progress));
            return rows;
        } finally {
            Files.deleteIfExists(lines);
            Files.deleteIfExists(script);
        }
    }

    private static Measurement rawConsume(KafkaCluster cluster, String topic, int records) {
        Map<String, Object> config = new HashMap<>(cluster.adminConfig());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        long count = 0;
        long first = 0;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            while (count < records && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    if (first == 0) {
                        first = System.nanoTime();
                    }
                    count++;
                }
            }
        }
        if (count < records) {
            throw new IllegalStateException("raw consumer: " + count + " of " + records);
        }
        return Measurement.of(records, (long) records * BenchSettings.VALUE_BYTES, (System.nanoTime() - first) / 1e9);
    }

    private static Measurement timed(int records, List<String> command) {
        long begin = System.nanoTime();
        Result result = run(command, Duration.ofMinutes(3));
        double seconds = (System.nanoTime() - begin) / 1e9;
        if (result.exit != 0) {
            throw new IllegalStateException(command.get(0) + " exited " + result.exit + ": " + result.output);
        }
        return Measurement.of(records, (long) records * BenchSettings.VALUE_BYTES, seconds);
    }

    private static Measurement python(Path script, String mode, String bootstrap, String topic, int records) {
        Result result = run(List.of(PYTHON.toString(), script.toString(), mode, bootstrap, topic,
                String.valueOf(records)), Duration.ofMinutes(3));
        String line = result.output.lines().filter(l -> l.startsWith("RESULT ")).findFirst()
                .orElseThrow(() -> new IllegalStateException("kafka-python " + mode + ": " + result.output));
        double seconds = Double.parseDouble(LargeMessageConsumerMain.parse(line).get("seconds"));
        return Measurement.of(records, (long) records * BenchSettings.VALUE_BYTES, seconds);
    }

    /** What a finished peer process gave: its exit code ({@code -1}: did not start or timed out) and output tail. */
    record Result(int exit, String output) {
    }

    /** Runs {@code command} to its end, bounded by {@code timeout}; output and errors in one tail. */
    static Result run(List<String> command, Duration timeout) {
        try {
            Path out = Files.createTempFile("kafkalab-peer-", ".out");
            try {
                ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(out.toFile());
                Process p = pb.start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    return new Result(-1, "timed out after " + timeout);
                }
                String output = Files.readString(out, StandardCharsets.ISO_8859_1); // kcat -C prints binary values
                // kcat -C prints every record: keep only a short tail for errors
                return new Result(p.exitValue(), output.length() > 2000 ? output.substring(output.length() - 2000)
                        : output);
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
