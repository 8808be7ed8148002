package io.kafkalab.bench;

import io.kafkalab.producer.DeliveryGuarantee;
import io.kafkalab.producer.Producers;
import io.kafkalab.testkit.KafkaCluster;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The measurement behind the {@code AT_LEAST_ONCE} preset's throughput settings (docs/core-api.md): a raw
 * {@code KafkaProducer} with the preset's guarantee (acks=all, idempotence, 5 requests in flight) under candidate
 * {@code linger.ms}, {@code batch.size} and compression settings, 100-byte records to a new topic of 3 partitions
 * and replication factor 2 each run. The baseline is Kafka's own defaults; the variants run interleaved.
 */
final class TuningBench {

    private TuningBench() {
    }

    static List<Row> run(KafkaCluster cluster, BenchSettings s, Variants.Progress progress) throws Exception {
        Map<String, Object> preset = Producers.config(DeliveryGuarantee.AT_LEAST_ONCE, cluster.adminConfig());
        byte[][] values = Payloads.values(BenchSettings.VALUE_BYTES);
        int records = s.records();
        Variants variants = new Variants("tuning");
        variant(variants, "Kafka defaults", "linger.ms 5, batch.size 16 KiB (Kafka 4.x's own)", preset,
                Map.of("linger.ms", 5, "batch.size", 16_384), cluster, records, values);
        variant(variants, "linger 10, 64 KiB", "the preset's earlier settings", preset,
                Map.of("linger.ms", 10, "batch.size", 65_536), cluster, records, values);
        variant(variants, "the preset", "linger.ms " + preset.get("linger.ms") + ", batch.size "
                + preset.get("batch.size"), preset, Map.of(), cluster, records, values);
        variant(variants, "linger 10, 256 KiB", "a longer linger", preset,
                Map.of("linger.ms", 10, "batch.size", 262_144), cluster, records, values);
        variant(variants, "linger 5, 1 MiB", "the largest batch the brokers' default message.max.bytes takes", preset,
                Map.of("linger.ms", 5, "batch.size", 1_048_576), cluster, records, values);
        variant(variants, "the preset + lz4", "compression.type lz4 (every consumer must read it)", preset,
                Map.of("compression.type", "lz4"), cluster, records, values);
        return variants.run(s.repeats(), s.warmUpRounds(), progress);
    }

    private static void variant(Variants variants, String name, String note, Map<String, Object> preset,
                                Map<String, Object> settings, KafkaCluster cluster, int records, byte[][] values) {
        Map<String, Object> config = new HashMap<>(preset);
        config.putAll(settings);
        variants.add(name, note, r -> ProduceBench.raw(cluster, config, Variants.records(r, records, 200_000), values,
                false));
    }
}
