package io.kafkalab.bench;

import io.kafkalab.bench.Variants.Measurement;
import io.kafkalab.producer.DeliveryGuarantee;
import io.kafkalab.producer.Producers;
import io.kafkalab.producer.SendSummary;
import io.kafkalab.producer.SendTracker;
import io.kafkalab.testkit.KafkaCluster;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Comparison 1, produce: 100-byte records to a topic with 3 partitions and replication factor 2, timed from the
 * first send to the last acknowledgement (flush included, the producer's close not), with the CPU time of the
 * client's two threads (caller and I/O thread) per record beside the rate, which drifts far less:
 * <ol>
 *   <li>{@code raw}: a plain {@code KafkaProducer} with exactly the AT_LEAST_ONCE preset's settings;</li>
 *   <li>{@code kafkalab}: the preset through {@code Producers.create} and a {@code SendTracker};</li>
 *   <li>{@code lab-flush-each}: the lab's settings (acks=all, retries=5, idempotence) and {@code flush()} after
 *       every message, as its HTTP handler did, on {@code slowRecords}.</li>
 * </ol>
 */
final class ProduceBench {

    private static final AtomicInteger CLIENTS = new AtomicInteger();

    private ProduceBench() {
    }

    static List<Row> run(KafkaCluster cluster, BenchSettings s, Variants.Progress progress) throws Exception {
        Map<String, Object> preset = Producers.config(DeliveryGuarantee.AT_LEAST_ONCE, cluster.adminConfig());
        Map<String, Object> lab = new HashMap<>(cluster.adminConfig());
        lab.put("acks", "all");
        lab.put("retries", 5);
        lab.put("enable.idempotence", true);
        byte[][] values = Payloads.values(BenchSettings.VALUE_BYTES);
        return new Variants("produce")
                .add("raw", "KafkaProducer, the AT_LEAST_ONCE preset's settings", r -> raw(cluster, preset,
                        Variants.records(r, s.records(), 200_000), values, false))
                .add("kafkalab", "the AT_LEAST_ONCE preset through Producers.create + SendTracker", r -> kafkalab(
                        cluster, Variants.records(r, s.records(), 200_000), values))
                .add("lab-flush-each", "the lab's settings, flush() after every message", r -> raw(cluster, lab,
                        Variants.records(r, s.slowRecords(), 1_000), values, true))
                .run(s.repeats(), s.warmUpRounds(), progress);
    }

    /** Sends {@code records} values to {@code topic} with a plain producer and the AT_LEAST_ONCE preset's settings. */
    static Measurement rawPreset(KafkaCluster cluster, int records, String topic) {
        return rawPreset(cluster, records, topic, i -> null);
    }

    /** As above, record {@code i} with the key {@code keys.apply(i)} (null for none). */
    static Measurement rawPreset(KafkaCluster cluster, int records, String topic, IntFunction<byte[]> keys) {
        return raw(cluster, Producers.config(DeliveryGuarantee.AT_LEAST_ONCE, cluster.adminConfig()), records,
                Payloads.values(BenchSettings.VALUE_BYTES), false, topic, keys);
    }

    /** Sends with a plain producer and returns the rate; {@code flushEach} flushes after every send. */
    static Measurement raw(KafkaCluster cluster, Map<String, Object> config, int records, byte[][] values,
                           boolean flushEach) {
        return raw(cluster, config, records, values, flushEach, Payloads.topic(cluster, "produce"), i -> null);
    }

    /** As above, to a given topic, record {@code i} with the key {@code keys.apply(i)} (null for none). */
    private static Measurement raw(KafkaCluster cluster, Map<String, Object> config, int records, byte[][] values,
                                   boolean flushEach, String topic, IntFunction<byte[]> keys) {
        AtomicLong acked = new AtomicLong();
        Map<String, Object> withId = withClientId(config);
        try (Producer<byte[], byte[]> p = new KafkaProducer<>(withId, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            ClientCpu cpu = ClientCpu.start((String) withId.get("client.id"));
            long begin = System.nanoTime();
            for (int i = 0; i < records; i++) {
                p.send(new ProducerRecord<>(topic, keys.apply(i), values[i % values.length]), (m, e) -> {
                    if (e == null) {
                        acked.incrementAndGet();
                    }
                });
                if (flushEach) {
                    p.flush();
                }
            }
            p.flush();
            return measured(topic, records, acked.get(), begin, cpu);
        }
    }

    /** Sends {@code records} values to a new topic through {@code Producers.create(AT_LEAST_ONCE)} and a SendTracker. */
    static Measurement kafkalabPreset(KafkaCluster cluster, int records, String topic) {
        return kafkalab(cluster, records, Payloads.values(BenchSettings.VALUE_BYTES), topic);
    }

    private static Measurement kafkalab(KafkaCluster cluster, int records, byte[][] values) {
        return kafkalab(cluster, records, values, Payloads.topic(cluster, "produce"));
    }

    private static Measurement kafkalab(KafkaCluster cluster, int records, byte[][] values, String topic) {
        Map<String, Object> withId = withClientId(cluster.adminConfig());
        try (Producer<byte[], byte[]> p = Producers.create(DeliveryGuarantee.AT_LEAST_ONCE, withId,
                new ByteArraySerializer(), new ByteArraySerializer())) {
            ClientCpu cpu = ClientCpu.start((String) withId.get("client.id"));
            long begin = System.nanoTime();
            SendTracker tracker = new SendTracker();
            for (int i = 0; i < records; i++) {
                tracker.send(p, new ProducerRecord<>(topic, values[i % values.length]));
            }
            Producers.flush(p, Duration.ofMinutes(5));
            SendSummary summary = tracker.await(Duration.ofMinutes(5));
            return measured(topic, records, summary.acknowledged(), begin, cpu);
        }
    }

    private static Map<String, Object> withClientId(Map<String, Object> config) {
        Map<String, Object> c = new HashMap<>(config);
        c.put("client.id", "bench-producer-" + CLIENTS.incrementAndGet());
        return c;
    }

    /** Timed up to the last acknowledgement, before the producer closes. */
    private static Measurement measured(String topic, int records, long acked, long begin, ClientCpu cpu) {
        double seconds = (System.nanoTime() - begin) / 1e9;
        long cpuNanos = cpu.nanos();
        if (acked != records) {
            throw new IllegalStateException(topic + ": " + acked + " of " + records + " acknowledged");
        }
        long allocated = cpu.allocatedBytes();
        return new Measurement(records, (long) records * BenchSettings.VALUE_BYTES, seconds, new long[0], -1, -1,
                cpuNanos, allocated);
    }
}
