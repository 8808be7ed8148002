package io.kafkalab.bench;

import io.kafkalab.producer.DeliveryGuarantee;
import io.kafkalab.producer.Producers;
import io.kafkalab.producer.SendSummary;
import io.kafkalab.producer.SendTracker;
import io.kafkalab.testkit.EmbeddedKafkaCluster;
import io.kafkalab.testkit.KafkaCluster;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * End-to-end produce comparison on an embedded 3-broker cluster, topic with 3 partitions and replication
 * factor 2, 100-byte values, the variants run back to back (raw and kafkalab alternating which goes first)
 * and repeated after one uncounted warm-up round, medians reported:
 * <ol>
 *   <li>{@code raw}: a plain {@code KafkaProducer} with exactly the AT_LEAST_ONCE preset's settings;</li>
 *   <li>{@code kafkalab}: the preset through {@code Producers.create} and {@code SendTracker} (a
 *       {@code CompletableFuture} per send);</li>
 *   <li>{@code lab}: the lab's pattern: acks=all, retries=5, idempotence, {@code flush()} after every
 *       message, as its HTTP handler did (on fewer records: it is slow).</li>
 * </ol>
 * <pre>
 * java -cp 'kafkalab-bench/target/classes:kafkalab-bench/target/lib/*' io.kafkalab.bench.ProduceComparison \
 *     [records=1000000] [repeats=3] [labRecords=20000] [csv=docs/bench/produce.csv]
 * </pre>
 * Timed: from the first send to the last acknowledgement (flush included). Results go to stdout and a CSV.
 */
public final class ProduceComparison {

    /** One variant's median. */
    record Row(String variant, int records, double recordsPerSecond, double megabytesPerSecond, double ratio,
               double pairedRatio, List<Double> runs) {
    }

    private ProduceComparison() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = new HashMap<>();
        for (String a : args) {
            opts.put(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
        int records = Integer.parseInt(opts.getOrDefault("records", "1000000"));
        int repeats = Integer.parseInt(opts.getOrDefault("repeats", "3"));
        int labRecords = Integer.parseInt(opts.getOrDefault("labRecords", "20000"));
        Path csv = Path.of(opts.getOrDefault("csv", "docs/bench/produce.csv"));
        List<Row> rows = run(records, repeats, labRecords);
        print(rows, System.out);
        write(rows, csv);
        System.exit(0);
    }

    /** Runs the comparison and returns one row per variant, the raw client first. */
    static List<Row> run(int records, int repeats, int labRecords) throws Exception {
        byte[][] values = new byte[1024][];
        Random random = new Random(42);
        for (int i = 0; i < values.length; i++) {
            values[i] = new byte[100];
            random.nextBytes(values[i]);
        }
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.builder().brokers(3)
                .topology(EmbeddedKafkaCluster.Topology.DEDICATED_CONTROLLER).start()) {
            Map<String, Object> preset = Producers.config(DeliveryGuarantee.AT_LEAST_ONCE, cluster.adminConfig());
            // one round not counted: the JIT warms up on both variants
            raw(cluster, preset, Math.min(records, 200_000), values, -1);
            kafkalab(cluster, Math.min(records, 200_000), values, -1);
            rates.put("raw", new ArrayList<>());
            rates.put("kafkalab", new ArrayList<>());
            rates.put("lab", new ArrayList<>());
            for (int r = 0; r < repeats; r++) {
                // alternate which of the two goes first, so that neither always pays for the other's leftovers
                if (r % 2 == 0) {
                    rates.get("raw").add(raw(cluster, preset, records, values, r));
                    rates.get("kafkalab").add(kafkalab(cluster, records, values, r));
                } else {
                    rates.get("kafkalab").add(kafkalab(cluster, records, values, r));
                    rates.get("raw").add(raw(cluster, preset, records, values, r));
                }
                rates.get("lab").add(lab(cluster, labRecords, values, r));
            }
        }
        double raw = median(rates.get("raw"));
        List<Row> rows = new ArrayList<>();
        rates.forEach((variant, list) -> {
            double rate = median(list);
            // each repeat runs both variants back to back: the median of the per-repeat ratios cancels the drift
            // between repeats that shared 2-core machines show
            List<Double> pairs = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                pairs.add(list.get(i) / rates.get("raw").get(i));
            }
            rows.add(new Row(variant, variant.equals("lab") ? labRecords : records, rate, rate * 100 / 1e6, rate / raw,
                    median(pairs), List.copyOf(list)));
        });
        return rows;
    }

    private static double raw(KafkaCluster cluster, Map<String, Object> preset, int records, byte[][] values, int run)
            throws Exception {
        String topic = topic(cluster, "raw", run);
        AtomicLong acked = new AtomicLong();
        long begin = System.nanoTime();
        try (Producer<byte[], byte[]> p = new KafkaProducer<>(preset, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < records; i++) {
                p.send(new ProducerRecord<>(topic, values[i % values.length]), (m, e) -> {
                    if (e == null) {
                        acked.incrementAndGet();
                    }
                });
            }
            p.flush();
        }
        return rate(records, acked.get(), begin, topic);
    }

    private static double kafkalab(KafkaCluster cluster, int records, byte[][] values, int run) throws Exception {
        String topic = topic(cluster, "kafkalab", run);
        long begin = System.nanoTime();
        SendSummary summary;
        try (Producer<byte[], byte[]> p = Producers.create(DeliveryGuarantee.AT_LEAST_ONCE, cluster.adminConfig(),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            SendTracker tracker = new SendTracker();
            for (int i = 0; i < records; i++) {
                tracker.send(p, new ProducerRecord<>(topic, values[i % values.length]));
            }
            Producers.flush(p, Duration.ofMinutes(5));
            summary = tracker.await(Duration.ofMinutes(5));
        }
        return rate(records, summary.acknowledged(), begin, topic);
    }

    private static double lab(KafkaCluster cluster, int records, byte[][] values, int run) throws Exception {
        String topic = topic(cluster, "lab", run);
        Map<String, Object> config = new HashMap<>(cluster.adminConfig());
        config.put("acks", "all");
        config.put("retries", 5);
        config.put("enable.idempotence", true);
        AtomicLong acked = new AtomicLong();
        long begin = System.nanoTime();
        try (Producer<byte[], byte[]> p = new KafkaProducer<>(config, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < records; i++) {
                p.send(new ProducerRecord<>(topic, values[i % values.length]), (m, e) -> {
                    if (e == null) {
                        acked.incrementAndGet();
                    }
                });
                p.flush(); // the lab's HTTP handler flushed after every message
            }
        }
        return rate(records, acked.get(), begin, topic);
    }

    private static String topic(KafkaCluster cluster, String variant, int run) {
        String topic = "produce-" + variant + "-" + (run < 0 ? "warmup" : run) + "-" + System.nanoTime();
        cluster.createTopic(topic, 3, 2);
        return topic;
    }

    private static double rate(int records, long acked, long begin, String topic) {
        if (acked != records) {
            throw new IllegalStateException(topic + ": " + acked + " of " + records + " acknowledged");
        }
        return records / ((System.nanoTime() - begin) / 1e9);
    }

    static void print(List<Row> rows, PrintStream out) {
        out.println();
        out.printf("%-10s %10s %14s %8s %8s %8s  %s%n", "variant", "records", "records/s", "MB/s", "vs raw",
                "paired", "each run (records/s)");
        for (Row r : rows) {
            out.printf("%-10s %10d %14.0f %8.1f %7.2fx %7.2fx  %s%n", r.variant(), r.records(), r.recordsPerSecond(),
                    r.megabytesPerSecond(), r.ratio(), r.pairedRatio(),
                    r.runs().stream().map(v -> String.valueOf(Math.round(v))).toList());
        }
    }

    static void write(List<Row> rows, Path csv) throws IOException {
        if (csv.getParent() != null) {
            Files.createDirectories(csv.getParent());
        }
        StringBuilder sb = new StringBuilder(
                "variant,records,records_per_second,mb_per_second,ratio_to_raw,paired_ratio_to_raw\n");
        for (Row r : rows) {
            sb.append(String.format(java.util.Locale.ROOT, "%s,%d,%.0f,%.2f,%.3f,%.3f%n", r.variant(), r.records(),
                    r.recordsPerSecond(), r.megabytesPerSecond(), r.ratio(), r.pairedRatio()));
        }
        Files.writeString(csv, sb.toString());
    }

    private static double median(List<Double> list) {
        List<Double> sorted = new ArrayList<>(list);
        sorted.sort(Double::compare);
        return sorted.get(sorted.size() / 2);
    }
}
