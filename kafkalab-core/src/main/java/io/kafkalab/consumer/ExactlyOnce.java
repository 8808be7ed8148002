package io.kafkalab.consumer;

import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import io.kafkalab.producer.DeliveryGuarantee;
import io.kafkalab.producer.ProducerConfigException;
import io.kafkalab.producer.Producers;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The producer side of an exactly-once runner (see
 * {@link ConsumerRunner.Builder#processing(ExactlyOnce, ProcessingHandler)}): the producer settings, checked
 * against {@link DeliveryGuarantee#EXACTLY_ONCE} when this is made, and the serializers of what the handler sends.
 * The runner creates one transactional producer of raw bytes from it, calls {@code initTransactions()}, and closes
 * it when the runner ends.
 *
 * <p><b>{@code transactional.id}</b> is required. Give each runner instance its own, and the same one again when
 * that instance restarts (for example {@code <application>-<instance number>}): a restarted producer with the same
 * id aborts at once the transaction its killed predecessor left open, and fences that predecessor if it still
 * runs. (A new id would leave the open transaction to expire after {@code transaction.timeout.ms}, and until then
 * the restarted runner waits for the group's pending offsets.) Zombie runners of the same group are fenced by the
 * consumer group metadata sent with the offsets (KIP-447), so the id need not follow partitions.
 *
 * <p>Immutable and thread safe.
 *
 * @param <K> key type of the records sent
 * @param <V> value type of the records sent
 */
public final class ExactlyOnce<K, V> {

    private final Map<String, Object> producerConfig;
    private final Serializer<K> keySerializer;
    private final Serializer<V> valueSerializer;
    private final Function<Map<String, Object>, Producer<byte[], byte[]>> producerFactory;
    private final Function<Producer<byte[], byte[]>, ErrorPolicy> errorPolicy;

    private ExactlyOnce(Map<String, Object> producerConfig, Serializer<K> keySerializer,
                        Serializer<V> valueSerializer,
                        Function<Map<String, Object>, Producer<byte[], byte[]>> producerFactory,
                        Function<Producer<byte[], byte[]>, ErrorPolicy> errorPolicy) {
        this.producerConfig = producerConfig;
        this.keySerializer = keySerializer;
        this.valueSerializer = valueSerializer;
        this.producerFactory = producerFactory;
        this.errorPolicy = errorPolicy;
    }

    /**
     * @param producerConfig  Kafka producer settings, at least {@code bootstrap.servers} and {@code transactional.id};
     *                        merged over the {@link DeliveryGuarantee#EXACTLY_ONCE} preset; serializer keys are
     *                        ignored (the producer sends bytes)
     * @param keySerializer   for the keys the handler sends
     * @param valueSerializer for the values the handler sends
     * @param <K>             key type sent
     * @param <V>             value type sent
     * @return the settings
     * @throws ProducerConfigException when a setting breaks EXACTLY_ONCE (a missing {@code transactional.id},
     *                                 {@code acks=1}, ...), naming the key and the value
     */
    public static <K, V> ExactlyOnce<K, V> of(Map<String, ?> producerConfig, Serializer<K> keySerializer,
                                              Serializer<V> valueSerializer) {
        Map<String, Object> config = Producers.config(DeliveryGuarantee.EXACTLY_ONCE,
                Objects.requireNonNull(producerConfig, "producerConfig"));
        config.remove(org.apache.kafka.clients.producer.ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG);
        config.remove(org.apache.kafka.clients.producer.ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG);
        return new ExactlyOnce<>(Map.copyOf(config), Objects.requireNonNull(keySerializer, "keySerializer"),
                Objects.requireNonNull(valueSerializer, "valueSerializer"),
                c -> new KafkaProducer<>(c, new ByteArraySerializer(), new ByteArraySerializer()), null);
    }

    /**
     * @param factory creates the producer from {@link #producerConfig()}; default Kafka's {@code KafkaProducer}.
     *                Tests pass one that returns Kafka's {@code MockProducer}. The runner calls
     *                {@code initTransactions()} on what it returns.
     * @return a copy with this factory
     */
    public ExactlyOnce<K, V> producerFactory(Function<Map<String, Object>, Producer<byte[], byte[]>> factory) {
        return new ExactlyOnce<>(producerConfig, keySerializer, valueSerializer,
                Objects.requireNonNull(factory, "factory"), errorPolicy);
    }

    /**
     * Makes the runner's error policy with a producer that sends in the runner's open transaction, so that a dead
     * letter commits together with the failed record's offset, exactly once (the policy is asked inside the
     * transaction that commits the decision). Replaces {@link ConsumerRunner.Builder#errorPolicy(ErrorPolicy)}.
     *
     * <pre>{@code
     * exactlyOnce.errorPolicy(producer -> ErrorPolicy.retry(3, Duration.ofMillis(100), Duration.ofSeconds(1),
     *         ErrorPolicy.deadLetter(producer)))
     * }</pre>
     *
     * <p>The producer given to {@code policy} is a view of raw bytes: {@code send}, {@code flush},
     * {@code partitionsFor} and {@code metrics} work while the runner handles a record; {@code close} does nothing;
     * the transactional methods throw {@code UnsupportedOperationException}.
     *
     * @param policy makes the policy, once, when the runner is built
     * @return a copy with it
     */
    public ExactlyOnce<K, V> errorPolicy(Function<Producer<byte[], byte[]>, ErrorPolicy> policy) {
        return new ExactlyOnce<>(producerConfig, keySerializer, valueSerializer, producerFactory,
                Objects.requireNonNull(policy, "policy"));
    }

    /** @return the producer settings: the preset, then the user's; unmodifiable */
    public Map<String, Object> producerConfig() {
        return producerConfig;
    }

    /** @return the {@code transactional.id} */
    public String transactionalId() {
        return producerConfig.get(org.apache.kafka.clients.producer.ProducerConfig.TRANSACTIONAL_ID_CONFIG).toString();
    }

    Serializer<K> keySerializer() {
        return keySerializer;
    }

    Serializer<V> valueSerializer() {
        return valueSerializer;
    }

    Function<Map<String, Object>, Producer<byte[], byte[]>> producerFactory() {
        return producerFactory;
    }

    /** @return what makes the error policy from the transactional producer, or null */
    Function<Producer<byte[], byte[]>, ErrorPolicy> errorPolicyFactory() {
        return errorPolicy;
    }

    @Override
    public String toString() {
        return "exactly once (transactional.id " + transactionalId() + ")";
    }
}
