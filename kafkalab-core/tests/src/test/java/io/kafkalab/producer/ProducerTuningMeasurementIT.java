package io.kafkalab.producer;

import io.kafkalab.message.CustomMessage;
import io.kafkalab.message.JsonSerializer;
import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The measurement behind the AT_LEAST_ONCE preset's throughput settings (docs/core-api.md, "Why linger.ms=10
 * and batch.size=65536"):
 * the raw KafkaProducer with acks=all and idempotence under candidate linger/batch/compression settings,
 * on a 3-broker cluster, topic with 3 partitions and replication factor 2, sending CustomMessage JSON of
 * about 100 bytes. Variants run interleaved, repeated, medians reported. Not a test: off unless
 * {@code -Dkafkalab.measure=true}:
 * <pre>
 * mvn -B verify -pl kafkalab-core -am -Dkafkalab.measure=true -Dit.test=ProducerTuningMeasurementIT \
 *     -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * Results go to the log and to stdout (this is a measurement run, not a library).
 */
@KafkaTest(brokers = 3)
@EnabledIfSystemProperty(named = "kafkalab.measure", matches = "true")
class ProducerTuningMeasurementIT {

    private static final Logger LOG = LoggerFactory.getLogger(ProducerTuningMeasurementIT.class);
    private static final int RECORDS = Integer.getInteger("kafkalab.measure.records", 400_000);
    private static final int REPEATS = Integer.getInteger("kafkalab.measure.repeats", 3);

    @Test
    void measureProducerSettings(KafkaCluster cluster) throws Exception {
        Map<String, Map<String, Object>> variants = new LinkedHashMap<>();
        variants.put("Kafka 4.3 defaults (linger 5 ms, batch 16 KiB, none)", Map.of());
        variants.put("linger 10 ms, batch 64 KiB, none", Map.of("linger.ms", 10, "batch.size", 65536));
        variants.put("linger 10 ms, batch 64 KiB, lz4", Map.of("linger.ms", 10, "batch.size", 65536,
                "compression.type", "lz4"));
        variants.put("linger 10 ms, batch 64 KiB, zstd", Map.of("linger.ms", 10, "batch.size", 65536,
                "compression.type", "zstd"));
        variants.put("linger 10 ms, batch 64 KiB, gzip", Map.of("linger.ms", 10, "batch.size", 65536,
                "compression.type", "gzip"));
        variants.put("linger 20 ms, batch 128 KiB, none", Map.of("linger.ms", 20, "batch.size", 131072));

        byte[][] values = jsonValues();
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        for (int r = 0; r < REPEATS; r++) {
            for (Map.Entry<String, Map<String, Object>> v : variants.entrySet()) {
                double rate = run(cluster, v.getValue(), values);
                rates.computeIfAbsent(v.getKey(), k -> new ArrayList<>()).add(rate);
                LOG.info("run {} {}: {} records/s", r, v.getKey(), Math.round(rate));
            }
        }
        double base = median(rates.values().iterator().next());
        StringBuilder table = new StringBuilder(String.format("%n%-55s %12s %7s%n", "settings (acks=all, idempotence)",
                "records/s", "ratio"));
        rates.forEach((name, list) -> table.append(String.format("%-55s %12d %6.2fx%n", name,
                Math.round(median(list)), median(list) / base)));
        table.append(String.format("%d records of CustomMessage JSON (~100 bytes), median of %d%n", RECORDS, REPEATS));
        LOG.info("{}", table);
        System.out.println(table);
    }

    private static double run(KafkaCluster cluster, Map<String, Object> settings, byte[][] values) throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("tuning");
        cluster.createTopic(topic, 3, 2);
        Map<String, Object> config = new HashMap<>(cluster.adminConfig());
        config.put("acks", "all");
        config.put("enable.idempotence", true);
        config.putAll(settings);
        AtomicReference<Exception> error = new AtomicReference<>();
        long begin = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new ProducerRecord<>(topic, String.valueOf(i % 10), values[i % values.length]),
                        (m, e) -> {
                            if (e != null) {
                                error.compareAndSet(null, e);
                            }
                        });
            }
            producer.flush();
        }
        double rate = RECORDS / ((System.nanoTime() - begin) / 1e9);
        cluster.deleteTopic(topic);
        if (error.get() != null) {
            throw error.get();
        }
        return rate;
    }

    /** CustomMessage JSON of about 100 bytes: the lab's key (a user id) and a varied text. */
    private static byte[][] jsonValues() {
        Random random = new Random(42);
        String words = "kafka lab message user order partition replica broker offset commit segment";
        String[] vocabulary = words.split(" ");
        JsonSerializer<CustomMessage> json = new JsonSerializer<>();
        byte[][] values = new byte[10_000][];
        for (int i = 0; i < values.length; i++) {
            StringBuilder text = new StringBuilder();
            while (text.length() < 75) {
                text.append(vocabulary[random.nextInt(vocabulary.length)]).append(' ').append(random.nextInt(100_000))
                        .append(' ');
            }
            values[i] = json.serialize("t", new CustomMessage(String.valueOf(i % 10), text.substring(0, 75)));
        }
        return values;
    }

    private static double median(List<Double> list) {
        List<Double> sorted = new ArrayList<>(list);
        sorted.sort(Double::compare);
        return sorted.get(sorted.size() / 2);
    }
}
