package io.kafkalab.bench;

import io.kafkalab.bench.Variants.Measurement;
import io.kafkalab.producer.DeliveryGuarantee;
import io.kafkalab.producer.Producers;
import io.kafkalab.testkit.KafkaCluster;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Comparison {@code latency} (issue 21): how long one acknowledged send takes at light load, for each delivery
 * guarantee, so that the HTTP API and users can choose. One 100-byte record at a time, the next sent once the
 * previous one is acknowledged, {@code slowRecords / 10} of them per run; p50 and p99 of send-to-acknowledgement:
 * <ol>
 *   <li>{@code raw send().get()}: a plain {@code KafkaProducer} with the AT_LEAST_ONCE preset's settings (the
 *       baseline);</li>
 *   <li>{@code AT_MOST_ONCE}, {@code AT_LEAST_ONCE}: {@code Producers.create} and {@code Producers.send};</li>
 *   <li>{@code EXACTLY_ONCE, a transaction per record}: begin, send, commit: the latency of a record that becomes
 *       visible to {@code read_committed} readers on its own.</li>
 * </ol>
 * At one record in flight a send waits for its linger: the presets' {@code linger.ms} is the floor of every row.
 */
final class LatencyBench {

    private static final AtomicInteger IDS = new AtomicInteger();

    private LatencyBench() {
    }

    static List<Row> run(KafkaCluster cluster, BenchSettings s, Variants.Progress progress) throws Exception {
        int sends = Math.max(20, s.slowRecords() / 10);
        byte[] value = Payloads.values(BenchSettings.VALUE_BYTES)[0];
        String topic = Payloads.topic(cluster, "latency");
        progress.line(String.format(java.util.Locale.ROOT, "  latency: %,d sends one at a time per run to %s",
                sends, topic));
        Map<String, Object> preset = Producers.config(DeliveryGuarantee.AT_LEAST_ONCE, cluster.adminConfig());
        return new Variants("latency")
                .add("raw send().get()", "KafkaProducer, the AT_LEAST_ONCE preset's settings, one record at a time",
                        r -> timed(new KafkaProducer<>(preset, new ByteArraySerializer(), new ByteArraySerializer()),
                                topic, value, n(r, sends), false))
                .add("AT_MOST_ONCE", "Producers.create(AT_MOST_ONCE): acks=1, no retries",
                        r -> timed(create(DeliveryGuarantee.AT_MOST_ONCE, cluster, false), topic, value, n(r, sends),
                                false))
                .add("AT_LEAST_ONCE", "Producers.create(AT_LEAST_ONCE): acks=all, idempotence, linger.ms="
                        + preset.get("linger.ms"),
                        r -> timed(create(DeliveryGuarantee.AT_LEAST_ONCE, cluster, false), topic, value,
                                n(r, sends), false))
                .add("EXACTLY_ONCE, a transaction per record", "Producers.create(EXACTLY_ONCE): begin, send, commit",
                        r -> timed(create(DeliveryGuarantee.EXACTLY_ONCE, cluster, true), topic, value, n(r, sends),
                                true))
                .run(s.repeats(), s.warmUpRounds(), progress);
    }

    private static int n(int repeat, int sends) {
        return Variants.records(repeat, sends, Math.max(20, sends / 4));
    }

    private static Producer<byte[], byte[]> create(DeliveryGuarantee guarantee, KafkaCluster cluster,
                                                   boolean transactional) {
        Map<String, Object> config = new HashMap<>(cluster.adminConfig());
        if (transactional) {
            config.put("transactional.id", "bench-latency-" + IDS.incrementAndGet() + "-" + System.nanoTime());
        }
        // EXACTLY_ONCE: Producers.create has called initTransactions()
        return Producers.create(guarantee, config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends {@code sends} records one after another, each once the previous one was acknowledged; closes. */
    private static Measurement timed(Producer<byte[], byte[]> producer, String topic, byte[] value, int sends,
                                     boolean transaction) throws Exception {
        long[] latencies = new long[sends];
        try (producer) {
            one(producer, topic, value, transaction); // fetches the topic's metadata: not a send at light load
            long begin = System.nanoTime();
            for (int i = 0; i < sends; i++) {
                long start = System.nanoTime();
                one(producer, topic, value, transaction);
                latencies[i] = System.nanoTime() - start;
            }
            double seconds = (System.nanoTime() - begin) / 1e9;
            return new Measurement(sends, (long) sends * value.length, seconds, latencies, -1, -1, -1);
        }
    }

    private static void one(Producer<byte[], byte[]> producer, String topic, byte[] value, boolean transaction)
            throws Exception {
        if (transaction) {
            producer.beginTransaction();
        }
        Producers.send(producer, new ProducerRecord<>(topic, value)).get(30, TimeUnit.SECONDS);
        if (transaction) {
            producer.commitTransaction();
        }
    }
}
