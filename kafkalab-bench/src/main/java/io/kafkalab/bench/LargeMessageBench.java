package io.kafkalab.bench;

import io.kafkalab.bench.Variants.Measurement;
import io.kafkalab.producer.DeliveryGuarantee;
import io.kafkalab.producer.Producers;
import io.kafkalab.segment.SegmentingProducer;
import io.kafkalab.segment.Segments;
import io.kafkalab.testkit.JvmProcess;
import io.kafkalab.testkit.KafkaCluster;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Comparison 3, one large message: produced, then consumed from the beginning by a consumer in its own JVM whose
 * heap is capped at twice the message size ({@code -Xmx}), so that a run that needs more fails instead of
 * reporting a number. Timed end to end: produce (to the last acknowledgement) plus consume (first record to the
 * whole message checked).
 * <ol>
 *   <li>{@code raw 1 MB records}: the same bytes cut into 1 000 000-byte records by the caller, a plain producer
 *       with the AT_LEAST_ONCE preset's settings, a plain consumer that checks the CRC32C of the bytes as they
 *       come and keeps nothing: the floor;</li>
 *   <li>{@code kafkalab segmented}: {@code SegmentingProducer} (512 KiB segments) and a reassembling
 *       {@code ConsumerRunner} that hands over the whole message as one array, its CRC32C checked.</li>
 * </ol>
 */
final class LargeMessageBench {

    static final int RAW_RECORD_BYTES = 1_000_000;

    private LargeMessageBench() {
    }

    static List<Row> run(KafkaCluster cluster, BenchSettings s, Variants.Progress progress) throws Exception {
        byte[] message = Payloads.bytes(s.largeBytes(), 7);
        int crc = Segments.crc32c(message);
        long cap = Math.max(2L * s.largeBytes(), 128L * 1024 * 1024);
        return new Variants("large")
                .add("raw 1 MB records", "KafkaProducer + KafkaConsumer, 1 000 000-byte records, nothing kept;"
                        + " consumer heap capped at twice the message", r -> raw(cluster, progress, message, crc, cap))
                .add("kafkalab segmented", "SegmentingProducer + reassembling ConsumerRunner, whole message in one"
                        + " array; consumer heap capped at twice the message",
                        r -> segmented(cluster, progress, message, crc, cap))
                .add("kafkalab segmented, 4x heap", "the same with the consumer's heap capped at 4x the message",
                        r -> segmented(cluster, progress, message, crc, 2 * cap))
                .run(s.repeats(), s.warmUpRounds(), progress);
    }

    private static Measurement raw(KafkaCluster cluster, Variants.Progress progress, byte[] message, int crc,
                                   long heapCap) throws Exception {
        String topic = Payloads.topic(cluster, "large-raw");
        long begin = System.nanoTime();
        try (Producer<byte[], byte[]> p = new KafkaProducer<>(Producers.config(DeliveryGuarantee.AT_LEAST_ONCE,
                cluster.adminConfig()), new ByteArraySerializer(), new ByteArraySerializer())) {
            byte[] key = "large".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            List<java.util.concurrent.Future<?>> sends = new java.util.ArrayList<>();
            for (int at = 0; at < message.length; at += RAW_RECORD_BYTES) {
                sends.add(p.send(new ProducerRecord<>(topic, key, Arrays.copyOfRange(message, at,
                        Math.min(message.length, at + RAW_RECORD_BYTES)))));
            }
            p.flush();
            for (java.util.concurrent.Future<?> f : sends) {
                f.get(2, TimeUnit.MINUTES); // every record acknowledged, or the run fails
            }
        }
        return consume(cluster, progress, topic, "raw", message.length, crc, heapCap,
                (System.nanoTime() - begin) / 1e9);
    }

    private static Measurement segmented(KafkaCluster cluster, Variants.Progress progress, byte[] message, int crc,
                                         long heapCap)
            throws Exception {
        String topic = Payloads.topic(cluster, "large-segmented");
        long begin = System.nanoTime();
        try (Producer<String, byte[]> p = Producers.create(DeliveryGuarantee.AT_LEAST_ONCE, cluster.adminConfig(),
                new StringSerializer(), new ByteArraySerializer())) {
            new SegmentingProducer<>(p).send(topic, "large", message).get(2, TimeUnit.MINUTES);
        }
        return consume(cluster, progress, topic, "segmented", message.length, crc, heapCap,
                (System.nanoTime() - begin) / 1e9);
    }

    /** Consumes in a child JVM with {@code -Xmx heapCap} and adds its time to the produce time. */
    private static Measurement consume(KafkaCluster cluster, Variants.Progress progress, String topic, String mode,
                                       int size, int crc, long heapCap, double produceSeconds) {
        try (JvmProcess child = JvmProcess.start(List.of("-Xmx" + heapCap / (1024 * 1024) + "m", "-XX:+UseG1GC"),
                LargeMessageConsumerMain.class, cluster.bootstrapServers(), topic, mode, String.valueOf(size),
                String.valueOf(crc))) {
            String line = child.awaitLine(l -> l.startsWith("RESULT ") || l.startsWith("ERROR "),
                    Duration.ofMinutes(3));
            if (line.startsWith("ERROR ")) {
                throw new IllegalStateException(mode + " consumer with -Xmx" + heapCap + ": " + line);
            }
            Map<String, String> result = LargeMessageConsumerMain.parse(line);
            double seconds = produceSeconds + Double.parseDouble(result.get("seconds"));
            progress.line(String.format(java.util.Locale.ROOT, "    %s: produce %.3f s, consume %s s, peak heap %s bytes"
                    + ", peak live %s (-Xmx%dm)", mode, produceSeconds, result.get("seconds"), result.get("peakHeap"),
                    result.get("peakLive"),
                    heapCap >> 20));
            return new Measurement(1, size, seconds, new long[0], Long.parseLong(result.get("peakHeap")),
                    Long.parseLong(result.get("peakLive")), -1);
        }
    }
}
