package io.kafkalab.consumer.internal;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.function.Function;
import io.kafkalab.consumer.Output;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transactional producer of an exactly-once runner and its one open transaction: created (and
 * {@code initTransactions()}) on first use, begun lazily for the first record of a poll, committed with the
 * consumed offsets, aborted on failure. A producer whose abort fails is in a fatal state: it is closed, and the
 * caller stops the runner. Also the {@link Output} the handler sends through, which knows the record being handled
 * so that a send failing later is pinned on it. Poll thread only, except the send callbacks.
 */
public final class Transactions {

    private static final Logger LOG = LoggerFactory.getLogger(Transactions.class);

    /** A send that failed, and the input record whose handler made it. */
    record SendFailure(TopicPartition partition, long offset, int attempt, Exception error) {
    }

    private final String name;
    private final Map<String, Object> config;
    private final Function<Map<String, Object>, Producer<byte[], byte[]>> factory;
    private Producer<byte[], byte[]> producer;
    private boolean open;
    /** The input record whose handler runs now, or null outside a handler call. */
    private TopicPartition sourcePartition;
    private long sourceOffset;
    private int sourceAttempt;
    private volatile SendFailure sendFailure;

    /**
     * @param config  the producer settings (EXACTLY_ONCE, with transactional.id)
     * @param factory creates the producer
     */
    public Transactions(String name, Map<String, Object> config,
                        Function<Map<String, Object>, Producer<byte[], byte[]>> factory) {
        this.name = name;
        this.config = Map.copyOf(config);
        this.factory = Objects.requireNonNull(factory, "factory");
    }

    private Producer<byte[], byte[]> producer() {
        if (producer == null) {
            Producer<byte[], byte[]> p = Objects.requireNonNull(factory.apply(config), "producer factory returned null");
            try {
                p.initTransactions();
            } catch (RuntimeException e) {
                p.close(Duration.ZERO);
                throw e;
            }
            producer = p;
        }
        return producer;
    }

    /** Begins a transaction unless one is open. */
    void begin() {
        if (!open) {
            producer().beginTransaction();
            open = true;
            sendFailure = null;
        }
    }

    boolean open() {
        return open;
    }

    /** Sends the offsets in the open transaction (when any) with the group metadata, and commits it. */
    void commit(Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
        if (!offsets.isEmpty()) {
            producer.sendOffsetsToTransaction(offsets, group);
        }
        producer.commitTransaction();
        open = false;
    }

    /**
     * Aborts the open transaction.
     *
     * @return null, or what made the abort fail: the producer is then closed (it cannot be used again)
     */
    RuntimeException abort() {
        open = false;
        if (producer == null) {
            return null;
        }
        try {
            producer.abortTransaction();
            return null;
        } catch (RuntimeException e) {
            LOG.warn("{}: aborting the transaction failed, closing the producer: {}", name, e.toString());
            closeProducer(Duration.ZERO);
            return e;
        }
    }

    /** @return the first send of the open transaction that failed (asynchronously), or null */
    SendFailure sendFailure() {
        return sendFailure;
    }

    /** The handler of this record runs now, at this attempt ({@code partition} null: no handler runs). */
    void handling(TopicPartition partition, long offset, int attempt) {
        this.sourcePartition = partition;
        this.sourceOffset = offset;
        this.sourceAttempt = attempt;
    }

    /** Closes the producer, aborting an open transaction first. */
    void close(Duration timeout) {
        if (open) {
            abort();
        }
        closeProducer(timeout);
    }

    private void closeProducer(Duration timeout) {
        Producer<byte[], byte[]> p = producer;
        producer = null;
        if (p != null) {
            try {
                p.close(timeout);
            } catch (RuntimeException e) {
                LOG.warn("{}: closing the producer failed: {}", name, e.toString());
            }
        }
    }

    /**
     * A producer of raw bytes that sends in the open transaction (for an error policy's dead letters, which then
     * commit with it): {@code send}, {@code flush}, {@code partitionsFor} and {@code metrics} go to the runner's
     * producer; {@code close} does nothing; the transactional methods are refused, the runner owns them.
     *
     * @return the view
     */
    @SuppressWarnings("unchecked")
    public Producer<byte[], byte[]> sendingView() {
        return (Producer<byte[], byte[]>) java.lang.reflect.Proxy.newProxyInstance(Producer.class.getClassLoader(),
                new Class<?>[] {Producer.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "send", "flush", "partitionsFor", "metrics" -> {
                            if (method.getName().equals("send") && !open) {
                                throw new IllegalStateException("the transactional producer sends only while the"
                                        + " runner handles a record (in the error policy, for instance)");
                            }
                            try {
                                return method.invoke(producer(), args);
                            } catch (java.lang.reflect.InvocationTargetException e) {
                                throw e.getCause();
                            }
                        }
                        case "close" -> {
                            return null;
                        }
                        case "toString" -> {
                            return name + " transactional producer (sending view)";
                        }
                        case "hashCode" -> {
                            return System.identityHashCode(proxy);
                        }
                        case "equals" -> {
                            return proxy == args[0];
                        }
                        default -> throw new UnsupportedOperationException(method.getName() + ": the runner owns"
                                + " its producer's transactions");
                    }
                });
    }

    /**
     * @return the output a handler sends through, serializing with these serializers
     */
    public <K, V> Output<K, V> output(Serializer<K> keySerializer, Serializer<V> valueSerializer) {
        return record -> send(record, keySerializer, valueSerializer);
    }

    private <K, V> Future<RecordMetadata> send(ProducerRecord<K, V> record, Serializer<K> keySerializer,
                                               Serializer<V> valueSerializer) {
        Objects.requireNonNull(record, "record");
        if (!open || sourcePartition == null) {
            throw new IllegalStateException("Output.send is only valid during the handler call it was passed to");
        }
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        byte[] key = keySerializer.serialize(record.topic(), headers, record.key());
        byte[] value = valueSerializer.serialize(record.topic(), headers, record.value());
        TopicPartition from = sourcePartition;
        long offset = sourceOffset;
        int attempt = sourceAttempt;
        return producer.send(new ProducerRecord<>(record.topic(), record.partition(), record.timestamp(), key, value,
                headers), (metadata, error) -> {
                    if (error != null && sendFailure == null) {
                        sendFailure = new SendFailure(from, offset, attempt, error);
                    }
                });
    }
}
