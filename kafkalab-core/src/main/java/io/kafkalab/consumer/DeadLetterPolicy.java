package io.kafkalab.consumer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import io.kafkalab.internal.Denials;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link ErrorPolicy} that publishes failed records to a dead-letter topic: the original key and value
 * bytes, the original headers, and headers that say where the record came from and why it failed
 * (UTF-8 text, readable with any console consumer). It waits until the dead-letter topic acknowledges, so
 * the runner commits the original offset only once the record is safe elsewhere; if publishing fails it
 * decides {@link ErrorDecision.Outcome#STOP}, and the record is not committed. A dead-letter topic the user may
 * not write stops the runner the same way, with a {@link io.kafkalab.NotAuthorizedException} naming that topic as
 * the cause.
 *
 * <p>Thread safe; the producer is the caller's and is not closed here.
 */
public final class DeadLetterPolicy implements ErrorPolicy {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterPolicy.class);

    /** Header: the original topic. */
    public static final String ORIGINAL_TOPIC = "kafkalab.dlt.original.topic";
    /** Header: the original partition. */
    public static final String ORIGINAL_PARTITION = "kafkalab.dlt.original.partition";
    /** Header: the original offset. */
    public static final String ORIGINAL_OFFSET = "kafkalab.dlt.original.offset";
    /** Header: the original timestamp, epoch milliseconds. */
    public static final String ORIGINAL_TIMESTAMP = "kafkalab.dlt.original.timestamp";
    /** Header: the original timestamp type. */
    public static final String ORIGINAL_TIMESTAMP_TYPE = "kafkalab.dlt.original.timestamp.type";
    /** Header: the consumer group that gave up on the record. */
    public static final String CONSUMER_GROUP = "kafkalab.dlt.consumer.group";
    /** Header: the exception class. */
    public static final String EXCEPTION_CLASS = "kafkalab.dlt.exception.class";
    /** Header: the exception message, at most 1000 characters. */
    public static final String EXCEPTION_MESSAGE = "kafkalab.dlt.exception.message";
    /** Header: the {@link FailureKind}. */
    public static final String FAILURE_KIND = "kafkalab.dlt.failure.kind";
    /** Header: attempts made. */
    public static final String ATTEMPTS = "kafkalab.dlt.attempts";

    private final Producer<byte[], byte[]> producer;
    private final Function<String, String> topicName;
    private final Duration sendTimeout;

    private DeadLetterPolicy(Builder builder) {
        this.producer = builder.producer;
        this.topicName = builder.topicName;
        this.sendTimeout = builder.sendTimeout;
    }

    /**
     * @param producer a producer of raw bytes; {@code acks=all} recommended, so a dead letter is not lost
     * @return a builder: topic {@code <original>.DLT}, 30 s send timeout
     */
    public static Builder builder(Producer<byte[], byte[]> producer) {
        return new Builder(producer);
    }

    @Override
    public ErrorDecision onFailure(Failure failure) {
        return publish(producer, failure, r -> new ProducerRecord<>(topicName.apply(r.topic()), null, r.key(),
                r.value(), headers(r, failure)), sendTimeout);
    }

    /**
     * Sends one record per failed record and waits for every acknowledgement (shared with {@link RetryTopics}).
     *
     * @return DEAD_LETTERED when all were acknowledged, else STOP with the cause (a typed denial naming the topic)
     */
    static ErrorDecision publish(Producer<byte[], byte[]> producer, Failure failure,
                                 Function<ConsumerRecord<byte[], byte[]>, ProducerRecord<byte[], byte[]>> toRecord,
                                 Duration sendTimeout) {
        List<Future<RecordMetadata>> sends = new ArrayList<>();
        String topic = null;
        try {
            for (ConsumerRecord<byte[], byte[]> r : failure.records()) {
                ProducerRecord<byte[], byte[]> out = toRecord.apply(r);
                topic = out.topic();
                sends.add(producer.send(out));
            }
            for (Future<RecordMetadata> f : sends) {
                f.get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            return ErrorDecision.deadLettered();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ErrorDecision.stop(e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            Throwable raw = e instanceof ExecutionException ? e.getCause() : e;
            // a topic the user may not write: Producers-style typed denial, naming that topic
            Throwable cause = topic == null ? raw : Denials.ofSend(raw, topic).<Throwable>map(d -> d).orElse(raw);
            LOG.error("Publishing {} to {} failed; stopping so that it is not committed: {}", failure.where(), topic,
                    cause.toString());
            return ErrorDecision.stop(cause);
        }
    }

    static Headers headers(ConsumerRecord<byte[], byte[]> r, Failure failure) {
        RecordHeaders headers = new RecordHeaders(r.headers().toArray());
        put(headers, ORIGINAL_TOPIC, r.topic());
        put(headers, ORIGINAL_PARTITION, String.valueOf(r.partition()));
        put(headers, ORIGINAL_OFFSET, String.valueOf(r.offset()));
        put(headers, ORIGINAL_TIMESTAMP, String.valueOf(r.timestamp()));
        put(headers, ORIGINAL_TIMESTAMP_TYPE, r.timestampType().name);
        put(headers, CONSUMER_GROUP, String.valueOf(failure.groupId()));
        put(headers, EXCEPTION_CLASS, failure.error().getClass().getName());
        String message = String.valueOf(failure.error().getMessage());
        put(headers, EXCEPTION_MESSAGE, message.length() > 1000 ? message.substring(0, 1000) : message);
        put(headers, FAILURE_KIND, failure.kind().name());
        put(headers, ATTEMPTS, String.valueOf(failure.attempt()));
        return headers;
    }

    static void put(Headers headers, String key, String value) {
        headers.remove(key);
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }

    /** Settings of a {@link DeadLetterPolicy}. Not thread safe. */
    public static final class Builder {
        private final Producer<byte[], byte[]> producer;
        private Function<String, String> topicName = topic -> topic + ".DLT";
        private Duration sendTimeout = Duration.ofSeconds(30);

        private Builder(Producer<byte[], byte[]> producer) {
            this.producer = Objects.requireNonNull(producer, "producer");
        }

        /**
         * @param topicName maps the original topic to the dead-letter topic; default appends {@code .DLT}
         * @return this
         */
        public Builder topicName(Function<String, String> topicName) {
            this.topicName = Objects.requireNonNull(topicName, "topicName");
            return this;
        }

        /**
         * @param timeout how long to wait for the dead-letter topic's acknowledgement; default 30 s
         * @return this
         */
        public Builder sendTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.toMillis() < 1) {
                throw new IllegalArgumentException("sendTimeout must be >= 1 ms, but was " + timeout);
            }
            this.sendTimeout = timeout;
            return this;
        }

        /** @return the policy */
        public DeadLetterPolicy build() {
            return new DeadLetterPolicy(this);
        }
    }
}
