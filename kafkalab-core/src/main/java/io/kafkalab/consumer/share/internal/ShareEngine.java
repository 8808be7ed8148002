package io.kafkalab.consumer.share.internal;

import io.kafkalab.consumer.ErrorDecision;
import io.kafkalab.consumer.ErrorPolicy;
import io.kafkalab.consumer.Failure;
import io.kafkalab.consumer.FailureKind;
import io.kafkalab.consumer.RecordHandler;
import io.kafkalab.consumer.RecordProcessingException;
import io.kafkalab.consumer.share.ShareConsumerRunnerListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One poll's records, in order: deserialized, handed to the handler, failures to the error policy, each record
 * acknowledged (success ACCEPT, retry RELEASE, skip REJECT, dead-lettered ACCEPT, stop RELEASE), what is left of the
 * poll when the runner stops RELEASEd, then the acknowledgements committed. Used on the loop's thread only.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class ShareEngine<K, V> {

    private static final Logger LOG = LoggerFactory.getLogger(ShareEngine.class);

    private final String name;
    private final String groupId;
    private final Deserializer<K> keyDeserializer;
    private final Deserializer<V> valueDeserializer;
    private final RecordHandler<K, V> handler;
    private final ErrorPolicy errorPolicy;
    private final ShareConsumerRunnerListener listener;
    private final long maxRecords;
    private final Duration commitTimeout;
    private final ShareCounters counters = new ShareCounters();
    /** Records finished (accepted or rejected), for {@code maxRecords}. */
    private long finished;
    private RuntimeException stopCause;

    /**
     * @param maxRecords    stop after this many records are finished (Long.MAX_VALUE: never)
     * @param commitTimeout bound on each acknowledgement commit
     */
    public ShareEngine(String name, String groupId, Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer,
                       RecordHandler<K, V> handler, ErrorPolicy errorPolicy, ShareConsumerRunnerListener listener,
                       long maxRecords, Duration commitTimeout) {
        this.name = name;
        this.groupId = groupId;
        this.keyDeserializer = keyDeserializer;
        this.valueDeserializer = valueDeserializer;
        this.handler = handler;
        this.errorPolicy = errorPolicy;
        this.listener = listener;
        this.maxRecords = maxRecords;
        this.commitTimeout = commitTimeout;
    }

    /** @return the counters */
    public ShareCounters counters() {
        return counters;
    }

    /** @return whether the loop must end: the error policy said STOP, or {@code maxRecords} are finished */
    public boolean done() {
        return stopCause != null || finished >= maxRecords;
    }

    /** @return the {@link RecordProcessingException} of a STOP decision, or null */
    public RuntimeException stopCause() {
        return stopCause;
    }

    /**
     * Handles and acknowledges one poll's records and commits the acknowledgements.
     *
     * @param closing says the runner is asked to stop: the records not yet handled are released
     */
    public void process(ShareConsumer<byte[], byte[]> consumer, ConsumerRecords<byte[], byte[]> polled,
                        BooleanSupplier closing) {
        if (polled.isEmpty()) {
            return;
        }
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(polled.count());
        for (TopicPartition tp : polled.partitions()) {
            records.addAll(polled.records(tp));
        }
        for (ConsumerRecord<byte[], byte[]> raw : records) {
            AcknowledgeType type = done() || closing.getAsBoolean() ? AcknowledgeType.RELEASE : handle(raw);
            consumer.acknowledge(raw, type);
            counters.acknowledged(type);
        }
        commit(consumer);
    }

    private AcknowledgeType handle(ConsumerRecord<byte[], byte[]> raw) {
        int attempt = raw.deliveryCount().map(Short::intValue).orElse(1);
        K key;
        V value;
        try {
            key = keyDeserializer.deserialize(raw.topic(), raw.headers(), raw.key());
        } catch (RuntimeException e) {
            return fail(raw, e, FailureKind.KEY_DESERIALIZATION, attempt);
        }
        try {
            value = valueDeserializer.deserialize(raw.topic(), raw.headers(), raw.value());
        } catch (RuntimeException e) {
            return fail(raw, e, FailureKind.VALUE_DESERIALIZATION, attempt);
        }
        ConsumerRecord<K, V> record = new ConsumerRecord<>(raw.topic(), raw.partition(), raw.offset(), raw.timestamp(),
                raw.timestampType(), raw.serializedKeySize(), raw.serializedValueSize(), key, value, raw.headers(),
                raw.leaderEpoch(), Optional.of((short) attempt));
        try {
            handler.handle(record);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(raw, e, FailureKind.HANDLER, attempt);
        } catch (Exception e) {
            return fail(raw, e, FailureKind.HANDLER, attempt);
        }
        finished++;
        return AcknowledgeType.ACCEPT;
    }

    private AcknowledgeType fail(ConsumerRecord<byte[], byte[]> raw, Exception error, FailureKind kind, int attempt) {
        counters.failures.incrementAndGet();
        if (!kind.retryable()) {
            counters.deserializationFailures.incrementAndGet();
        }
        Failure failure = new Failure(List.of(raw), error, kind, attempt, groupId);
        ErrorDecision decision;
        try {
            decision = errorPolicy.onFailure(failure);
            if (decision == null) {
                decision = ErrorDecision.stop(new NullPointerException("the error policy returned no decision for "
                        + failure.where()));
            }
        } catch (RuntimeException e) {
            decision = ErrorDecision.stop(e);
        }
        AcknowledgeType type = switch (decision.outcome()) {
            case RETRY -> {
                LOG.info("{}: {} failed on delivery {} ({}); releasing it for redelivery", name, failure.where(),
                        attempt, error.toString());
                yield AcknowledgeType.RELEASE;
            }
            case SKIP -> {
                LOG.warn("{}: rejecting {} after delivery {} ({}): {}", name, failure.where(), attempt, kind,
                        error.toString());
                finished++;
                yield AcknowledgeType.REJECT;
            }
            case DEAD_LETTERED -> {
                LOG.warn("{}: {} dead-lettered after delivery {} ({}): {}", name, failure.where(), attempt, kind,
                        error.toString());
                counters.deadLettered.incrementAndGet();
                finished++;
                yield AcknowledgeType.ACCEPT;
            }
            case STOP -> {
                Throwable cause = decision.cause() != null ? decision.cause() : error;
                stopCause = new RecordProcessingException(raw.topic(), raw.partition(), raw.offset(), cause);
                counters.stopped.set(1);
                yield AcknowledgeType.RELEASE;
            }
        };
        ErrorDecision d = decision;
        notifyListener(() -> listener.onError(failure, d, type));
        return type;
    }

    private void commit(ShareConsumer<byte[], byte[]> consumer) {
        Map<TopicIdPartition, Optional<KafkaException>> result;
        try {
            result = consumer.commitSync(commitTimeout);
        } catch (WakeupException e) {
            // close() woke the consumer; the wakeup is used up, so the acknowledgements can still be committed
            result = consumer.commitSync(commitTimeout);
        }
        boolean ok = true;
        for (Map.Entry<TopicIdPartition, Optional<KafkaException>> e : result.entrySet()) {
            if (e.getValue().isPresent()) {
                ok = false;
                counters.commitFailures.incrementAndGet();
                LOG.warn("{}: acknowledgements of {} were refused; its records will be delivered again: {}", name,
                        e.getKey(), e.getValue().get().toString());
                notifyListener(() -> listener.onCommitFailed(e.getKey(), e.getValue().get()));
            }
        }
        if (ok) {
            counters.commits.incrementAndGet();
        }
    }

    private void notifyListener(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("{}: listener failed", name, e);
        }
    }
}
