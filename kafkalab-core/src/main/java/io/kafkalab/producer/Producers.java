package io.kafkalab.producer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import io.kafkalab.NotAuthorizedException;
import io.kafkalab.internal.Denials;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds producers from a {@link DeliveryGuarantee} preset and the user's Kafka config, and offers the
 * send helpers every producer needs: a send that returns a {@link CompletableFuture}, a bounded flush and
 * a bounded close.
 *
 * <pre>{@code
 * Producer<String, CustomMessage> producer = Producers.create(DeliveryGuarantee.AT_LEAST_ONCE,
 *         Map.of("bootstrap.servers", "127.0.0.1:9092"),
 *         new StringSerializer(), CustomMessage.serde().serializer());
 * }</pre>
 *
 * <p>The factory returns Kafka's {@link Producer} interface, so a unit test can use {@code MockProducer}
 * in its place. All methods are static and thread safe.
 */
public final class Producers {

    private static final Logger LOG = LoggerFactory.getLogger(Producers.class);

    private Producers() {
    }

    /**
     * The config a producer with this guarantee gets: the preset, then the user's settings on top, checked.
     *
     * @param guarantee  the delivery guarantee
     * @param userConfig Kafka producer settings, at least {@code bootstrap.servers}; they override the preset
     * @return a new mutable map
     * @throws ProducerConfigException when a setting breaks the guarantee, naming the key and the value
     */
    public static Map<String, Object> config(DeliveryGuarantee guarantee, Map<String, ?> userConfig) {
        Objects.requireNonNull(guarantee, "guarantee");
        Objects.requireNonNull(userConfig, "userConfig");
        Map<String, Object> config = new LinkedHashMap<>(guarantee.preset());
        config.putAll(userConfig);
        guarantee.check(config);
        return config;
    }

    /**
     * Builds a producer with serializers given as objects.
     *
     * @param guarantee       the delivery guarantee
     * @param userConfig      Kafka producer settings; they override the preset
     * @param keySerializer   for keys
     * @param valueSerializer for values
     * @param <K>             key type
     * @param <V>             value type
     * @return a producer; for {@link DeliveryGuarantee#EXACTLY_ONCE} with {@code initTransactions()} already
     *     done, ready for {@code beginTransaction()}
     * @throws ProducerConfigException when a setting breaks the guarantee
     * @throws NotAuthorizedException  for EXACTLY_ONCE, when the user may not WRITE the transactional id (named)
     */
    public static <K, V> Producer<K, V> create(DeliveryGuarantee guarantee, Map<String, ?> userConfig,
                                               Serializer<K> keySerializer, Serializer<V> valueSerializer) {
        Objects.requireNonNull(keySerializer, "keySerializer");
        Objects.requireNonNull(valueSerializer, "valueSerializer");
        Map<String, Object> config = config(guarantee, userConfig);
        return init(guarantee, config, new KafkaProducer<>(config, keySerializer, valueSerializer));
    }

    /**
     * Builds a producer whose serializers the config names ({@code key.serializer}, {@code value.serializer}).
     *
     * @see #create(DeliveryGuarantee, Map, Serializer, Serializer)
     */
    public static <K, V> Producer<K, V> create(DeliveryGuarantee guarantee, Map<String, ?> userConfig) {
        Map<String, Object> config = config(guarantee, userConfig);
        return init(guarantee, config, new KafkaProducer<>(config));
    }

    private static <K, V> Producer<K, V> init(DeliveryGuarantee guarantee, Map<String, Object> config,
                                              Producer<K, V> producer) {
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            try {
                producer.initTransactions();
            } catch (org.apache.kafka.common.errors.TransactionalIdAuthorizationException e) {
                producer.close(Duration.ZERO);
                throw new NotAuthorizedException(AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID,
                        String.valueOf(config.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG)), null, e);
            } catch (RuntimeException e) {
                producer.close(Duration.ZERO);
                throw e;
            }
        }
        return producer;
    }

    /**
     * Sends a record and returns its outcome as a future. A synchronous failure of {@code send} (a
     * serializer error, a closed producer, a full buffer after {@code max.block.ms}) comes back as a failed
     * future too, so there is one place to handle errors. A refusal by the cluster's authorizer fails the future
     * with {@link NotAuthorizedException} naming the record's topic and WRITE, Kafka's exception as its cause.
     *
     * @param producer the producer
     * @param record   the record
     * @param <K>      key type
     * @param <V>      value type
     * @return completes with the metadata once the broker acknowledges, or exceptionally
     */
    public static <K, V> CompletableFuture<RecordMetadata> send(Producer<K, V> producer, ProducerRecord<K, V> record) {
        return send(producer, record, null);
    }

    /**
     * As {@link #send(Producer, ProducerRecord)}, with {@code outcome} told first (on the producer's I/O thread,
     * or on the caller's for a synchronous failure), before the future completes.
     */
    static <K, V> CompletableFuture<RecordMetadata> send(Producer<K, V> producer, ProducerRecord<K, V> record,
                                                         Callback outcome) {
        Objects.requireNonNull(producer, "producer");
        Objects.requireNonNull(record, "record");
        SendFuture future = new SendFuture(outcome, record.topic());
        try {
            producer.send(record, future);
        } catch (RuntimeException e) {
            future.onCompletion(null, e);
        }
        return future;
    }

    /**
     * The future of one send that is also its callback: one object per record on top of the client's own (a
     * future plus a callback lambda were two, and the producer's allocation rate is part of its throughput).
     */
    private static final class SendFuture extends CompletableFuture<RecordMetadata> implements Callback {
        private static final VarHandle TOLD;

        static {
            try {
                TOLD = MethodHandles.lookup().findVarHandle(SendFuture.class, "told", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final Callback outcome;
        private final String topic;
        @SuppressWarnings("unused") // through TOLD
        private volatile int told;

        SendFuture(Callback outcome, String topic) {
            this.outcome = outcome;
            this.topic = topic;
        }

        /**
         * Tells the outcome once: the first call wins. A send can be answered twice: when the idempotent producer
         * turns fatal (a refused producer id) between appending the record and returning, {@code send()} throws
         * and the aborted batch then calls back for the same record, so the catch in {@code send} and the
         * client both report it.
         */
        @Override
        public void onCompletion(RecordMetadata metadata, Exception failure) {
            if (!TOLD.compareAndSet(this, 0, 1)) {
                return;
            }
            Exception error = failure == null ? null : Denials.ofSend(failure, topic).<Exception>map(d -> d).orElse(failure);
            if (outcome != null) {
                outcome.onCompletion(metadata, error);
            }
            if (error != null) {
                completeExceptionally(error);
            } else {
                complete(metadata);
            }
        }
    }

    /**
     * Flushes, waiting at most {@code timeout}. Kafka's own {@code flush()} has no bound of its own but
     * {@code delivery.timeout.ms}; this one returns control in time and leaves the flush to finish in the
     * background.
     *
     * @param producer the producer
     * @param timeout  the bound
     * @throws ProducerTimeoutException when the flush has not finished in time
     */
    public static void flush(Producer<?, ?> producer, Duration timeout) {
        Objects.requireNonNull(producer, "producer");
        CompletableFuture<Void> flushed = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                producer.flush();
                flushed.complete(null);
            } catch (Throwable e) {
                flushed.completeExceptionally(e);
            }
        }, "kafkalab-producer-flush");
        t.setDaemon(true);
        t.start();
        try {
            flushed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new ProducerTimeoutException("flush did not complete within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProducerTimeoutException("interrupted while flushing");
        }
    }

    /**
     * Closes the producer, waiting at most {@code timeout} for outstanding sends; those still pending then
     * fail. Never throws: a failure to close is logged.
     *
     * @param producer the producer; null is ignored
     * @param timeout  the bound
     */
    public static void close(Producer<?, ?> producer, Duration timeout) {
        if (producer == null) {
            return;
        }
        try {
            producer.close(timeout);
        } catch (RuntimeException e) {
            LOG.warn("closing the producer failed", e);
        }
    }
}
