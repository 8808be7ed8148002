package io.kafkalab.producer;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * What a producer promises about each record it reports as sent, as a preset of Kafka producer settings
 * plus the rules that keep the promise. {@link Producers#create} merges the preset, then the user's
 * config (which wins), then checks the rules and refuses a config that would break the promise.
 *
 * <table>
 *   <caption>Presets</caption>
 *   <tr><th>guarantee</th><th>sets</th><th>refuses</th></tr>
 *   <tr><td>{@link #AT_MOST_ONCE}</td><td>acks=1, retries=0, enable.idempotence=false</td>
 *       <td>retries &gt; 0, enable.idempotence=true, transactional.id</td></tr>
 *   <tr><td>{@link #AT_LEAST_ONCE}</td><td>acks=all, enable.idempotence=true,
 *       max.in.flight.requests.per.connection=5, delivery.timeout.ms=120000, linger.ms=5,
 *       batch.size=262144 (retries left at Kafka's default, bounded by delivery.timeout.ms)</td>
 *       <td>acks other than all, enable.idempotence=false, retries=0, more than 5 requests in flight,
 *       transactional.id</td></tr>
 *   <tr><td>{@link #EXACTLY_ONCE}</td><td>as AT_LEAST_ONCE; the user gives transactional.id</td>
 *       <td>as AT_LEAST_ONCE, and a missing transactional.id</td></tr>
 * </table>
 *
 * <p>No preset sets {@code compression.type}: compression is a contract with every consumer of the topic
 * (the lab's kafka-python cannot read lz4 without an extra package), so it stays the user's choice.
 *
 * <p>AT_LEAST_ONCE's {@code batch.size} of 256 KiB is what lets it keep up with librdkafka (kcat) at the same
 * guarantee (docs/benchmarks.md). The Java producer takes a whole {@code batch.size} buffer from
 * {@code buffer.memory} (32 MiB by default) for every partition with an open batch, so 128 partitions can take
 * writes at once before a send waits up to {@code max.block.ms} for a buffer: a producer writing to many more
 * partitions at once should lower {@code batch.size} or raise {@code buffer.memory}.
 */
public enum DeliveryGuarantee {

    /**
     * A record is written once or not at all: no retries, so never duplicated, but lost on any error.
     * {@code acks=1} so that errors are at least reported; {@code acks=0} is allowed.
     */
    AT_MOST_ONCE(Map.of(
            ProducerConfig.ACKS_CONFIG, "1",
            ProducerConfig.RETRIES_CONFIG, 0,
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false)),

    /**
     * An acknowledged record is on every in-sync replica and is never lost; retries within
     * {@code delivery.timeout.ms} never duplicate or reorder it, thanks to idempotence. The lab's setting.
     */
    AT_LEAST_ONCE(Map.of(
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
            ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5,
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000,
            ProducerConfig.LINGER_MS_CONFIG, 5,
            ProducerConfig.BATCH_SIZE_CONFIG, 262_144)),

    /**
     * AT_LEAST_ONCE plus transactions: records sent between {@code beginTransaction()} and
     * {@code commitTransaction()} become visible to {@code isolation.level=read_committed} consumers together
     * or, after {@code abortTransaction()}, never. Needs a {@code transactional.id} that stays the same
     * across restarts of the same producer, so that a restarted one fences its zombie.
     */
    EXACTLY_ONCE(AT_LEAST_ONCE.preset);

    private final Map<String, Object> preset;

    DeliveryGuarantee(Map<String, Object> preset) {
        this.preset = Collections.unmodifiableMap(new LinkedHashMap<>(preset));
    }

    /** @return the settings this guarantee applies before the user's config; unmodifiable */
    public Map<String, Object> preset() {
        return preset;
    }

    /**
     * Checks a complete producer config against this guarantee.
     *
     * @param config the merged config (preset, then user settings)
     * @throws ProducerConfigException naming the first conflicting key and value
     */
    void check(Map<String, ?> config) {
        String transactionalId = string(config, ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        if (this == AT_MOST_ONCE) {
            Long retries = number(config, ProducerConfig.RETRIES_CONFIG);
            if (retries != null && retries > 0) {
                throw conflict(ProducerConfig.RETRIES_CONFIG, config, "a retried record may be written twice;"
                        + " use retries=0");
            }
            if ("true".equals(string(config, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG))) {
                throw conflict(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, config,
                        "the idempotent producer retries failed sends; use enable.idempotence=false");
            }
        } else {
            String acks = string(config, ProducerConfig.ACKS_CONFIG);
            if (acks != null && !acks.equals("all") && !acks.equals("-1")) {
                throw conflict(ProducerConfig.ACKS_CONFIG, config, "a record acknowledged before every in-sync"
                        + " replica has it is lost if the leader fails; use acks=all");
            }
            if ("false".equals(string(config, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG))) {
                throw conflict(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, config, "retries could then duplicate"
                        + " or reorder records; use enable.idempotence=true");
            }
            Long retries = number(config, ProducerConfig.RETRIES_CONFIG);
            if (retries != null && retries == 0) {
                throw conflict(ProducerConfig.RETRIES_CONFIG, config, "the first transient error would drop the"
                        + " record; leave retries unset and bound retrying with delivery.timeout.ms");
            }
            Long inFlight = number(config, ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION);
            if (inFlight != null && inFlight > 5) {
                throw conflict(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, config,
                        "the idempotent producer keeps order only with at most 5");
            }
        }
        if (this == EXACTLY_ONCE && (transactionalId == null || transactionalId.isBlank())) {
            throw new ProducerConfigException(this, ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId,
                    "EXACTLY_ONCE needs transactional.id: set one that stays the same across restarts of this"
                            + " producer");
        }
        if (this != EXACTLY_ONCE && transactionalId != null) {
            throw conflict(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config, "a transactional producer must wrap"
                    + " its sends in transactions; use EXACTLY_ONCE");
        }
    }

    private ProducerConfigException conflict(String key, Map<String, ?> config, String why) {
        String value = string(config, key);
        return new ProducerConfigException(this, key, value, key + "=" + value + " breaks " + name() + ": " + why);
    }

    private static String string(Map<String, ?> config, String key) {
        Object v = config.get(key);
        return v == null ? null : v.toString().trim().toLowerCase(java.util.Locale.ROOT);
    }

    /** The value as a whole number, or null when absent or not a number (Kafka then reports it). */
    private static Long number(Map<String, ?> config, String key) {
        String s = string(config, key);
        if (s == null) {
            return null;
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
