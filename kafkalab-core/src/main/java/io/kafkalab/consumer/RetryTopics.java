package io.kafkalab.consumer;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries that outlive the process: a failed record is republished to a retry topic per stage,
 * {@code <topic>.retry-<delay in ms>} (by default 1 s, 10 s and 1 min: {@code orders.retry-1000},
 * {@code orders.retry-10000}, {@code orders.retry-60000}), and after the last stage to the dead-letter topic
 * {@code <topic>.DLT}, the way Spring Kafka's retry topics do. Give it to {@link ConsumerRunner.Builder#retryTopics}:
 * the runner then also consumes the stage topics, sends each failure one stage on (this is its error policy), and
 * holds a stage partition, paused, until the record at its head is due: it never sleeps in the loop and never
 * handles a record early, also after a restart (the due time travels with the record).
 *
 * <pre>{@code
 * RetryTopics retries = RetryTopics.builder(bytesProducer).delays(Duration.ofSeconds(1), Duration.ofSeconds(30)).build();
 * ConsumerRunner.builder(config, keys, values).topics("orders").retryTopics(retries).records(handler);
 * }</pre>
 *
 * <p>Each hop carries the original record's key, value and headers, plus UTF-8 text headers: where it came from
 * ({@link DeadLetterPolicy#ORIGINAL_TOPIC}, {@code .original.partition}, {@code .original.offset},
 * {@code .original.timestamp}: always the first topic's record, not the previous stage's), why it failed last
 * ({@link DeadLetterPolicy#EXCEPTION_CLASS}, {@link DeadLetterPolicy#EXCEPTION_MESSAGE}, {@code .failure.kind}), the
 * consumer group, {@link #ATTEMPT} (the attempt this delivery is: 2 in the first stage) and {@link #DUE} (epoch
 * milliseconds it may be handled at). The dead-letter record has {@link DeadLetterPolicy}'s headers with
 * {@link DeadLetterPolicy#ATTEMPTS} the attempts made. Poison pills go to the dead-letter topic at once.
 *
 * <p><b>Ordering trade-off.</b> A record sent to a retry topic leaves its partition's order: the records after it
 * in the source topic are handled before it is retried (the price of not holding the partition for a minute);
 * within one stage, records keep the order in which they failed. Where per-key order matters more than
 * throughput, use {@link ErrorPolicy#retry}, which holds the partition instead. Publishing waits for the
 * acknowledgement, so the source offset is committed only once the record is safe in the next topic; a publish
 * that fails stops the runner without committing the record.
 *
 * <p>Immutable and thread safe; the producer is the caller's (not closed here); {@code acks=all} recommended.
 */
public final class RetryTopics implements ErrorPolicy {

    private static final Logger LOG = LoggerFactory.getLogger(RetryTopics.class);

    /** Header: the attempt a delivery through a retry topic is (the first stage's is 2). */
    public static final String ATTEMPT = "kafkalab.retry.attempt";
    /** Header: when the record is due, epoch milliseconds. */
    public static final String DUE = "kafkalab.retry.due";
    /** The default stages: 1 s, 10 s, 1 min. */
    public static final List<Duration> DEFAULT_DELAYS = List.of(Duration.ofSeconds(1), Duration.ofSeconds(10),
            Duration.ofMinutes(1));

    private final Producer<byte[], byte[]> producer;
    private final List<Duration> delays;
    private final Duration sendTimeout;
    private final Clock clock;

    private RetryTopics(Builder b) {
        this.producer = b.producer;
        this.delays = b.delays;
        this.sendTimeout = b.sendTimeout;
        this.clock = b.clock;
    }

    /**
     * @param producer a producer of raw bytes, owned by the caller
     * @return a builder with the {@link #DEFAULT_DELAYS}, a 30 s send timeout and the system clock
     */
    public static Builder builder(Producer<byte[], byte[]> producer) {
        return new Builder(producer);
    }

    /** @return the stage delays, in order */
    public List<Duration> delays() {
        return delays;
    }

    /** @return the retry topic of stage {@code stage} (1-based) of {@code topic}: {@code <topic>.retry-<ms>} */
    public String stageTopic(String topic, int stage) {
        if (stage < 1 || stage > delays.size()) {
            throw new IllegalArgumentException("stage must be in [1, " + delays.size() + "], but was " + stage);
        }
        return topic + ".retry-" + delays.get(stage - 1).toMillis();
    }

    /** @return the dead-letter topic of {@code topic}: {@code <topic>.DLT} */
    public String deadLetterTopic(String topic) {
        return topic + ".DLT";
    }

    /** @return the stage topics of {@code topic}, in order (not the dead-letter topic) */
    public List<String> stageTopics(String topic) {
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= delays.size(); i++) {
            names.add(stageTopic(topic, i));
        }
        return names;
    }

    /**
     * Creates the stage and dead-letter topics of each source topic that are missing, with the source topic's
     * partition count and the cluster's default replication factor. Blocks up to {@code timeout} per call.
     *
     * @throws IllegalStateException when a source topic cannot be described or a topic cannot be created
     */
    public void createTopics(Admin admin, Collection<String> sourceTopics, Duration timeout) {
        try {
            Map<String, TopicDescription> sources = admin.describeTopics(sourceTopics).allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (TopicDescription d : sources.values()) {
                List<String> names = new ArrayList<>(stageTopics(d.name()));
                names.add(deadLetterTopic(d.name()));
                for (String n : names) {
                    if (!existing.contains(n)) {
                        missing.add(new NewTopic(n, java.util.Optional.of(d.partitions().size()),
                                java.util.Optional.empty()));
                    }
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            for (var e : admin.createTopics(missing).values().entrySet()) {
                try {
                    e.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    LOG.info("created retry topic {}", e.getKey());
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw ex;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating retry topics of " + sourceTopics, e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("could not create the retry topics of " + sourceTopics + ": " + cause,
                    cause);
        }
    }

    /**
     * @param record a record as read
     * @return milliseconds until it is due (zero or less: due), from its {@link #DUE} header; 0 without one
     */
    public long untilDue(ConsumerRecord<byte[], byte[]> record) {
        long due = number(record.headers(), DUE, Long.MIN_VALUE);
        return due == Long.MIN_VALUE ? 0 : due - clock.millis();
    }

    /** Sends each failed record one stage on (or to the dead-letter topic) and waits for the acknowledgement. */
    @Override
    public ErrorDecision onFailure(Failure failure) {
        return DeadLetterPolicy.publish(producer, failure, r -> next(r, failure), sendTimeout);
    }

    private ProducerRecord<byte[], byte[]> next(ConsumerRecord<byte[], byte[]> r, Failure failure) {
        int attempt = (int) number(r.headers(), ATTEMPT, 1);
        String origin = text(r.headers(), DeadLetterPolicy.ORIGINAL_TOPIC, r.topic());
        boolean retry = failure.kind().retryable() && attempt <= delays.size();
        Headers h = DeadLetterPolicy.headers(r, failure);
        if (r.headers().lastHeader(ATTEMPT) != null) {
            // a stage's record: where it came from first stays as it was
            for (String key : List.of(DeadLetterPolicy.ORIGINAL_TOPIC, DeadLetterPolicy.ORIGINAL_PARTITION,
                    DeadLetterPolicy.ORIGINAL_OFFSET, DeadLetterPolicy.ORIGINAL_TIMESTAMP,
                    DeadLetterPolicy.ORIGINAL_TIMESTAMP_TYPE)) {
                String v = text(r.headers(), key, null);
                if (v != null) {
                    DeadLetterPolicy.put(h, key, v);
                }
            }
        }
        DeadLetterPolicy.put(h, DeadLetterPolicy.ATTEMPTS, String.valueOf(attempt));
        if (retry) {
            DeadLetterPolicy.put(h, ATTEMPT, String.valueOf(attempt + 1));
            DeadLetterPolicy.put(h, DUE, String.valueOf(clock.millis() + delays.get(attempt - 1).toMillis()));
        } else {
            h.remove(ATTEMPT);
            h.remove(DUE);
        }
        return new ProducerRecord<>(retry ? stageTopic(origin, attempt) : deadLetterTopic(origin), null, r.key(),
                r.value(), h);
    }

    private static String text(Headers headers, String key, String otherwise) {
        Header h = headers.lastHeader(key);
        return h == null || h.value() == null ? otherwise : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static long number(Headers headers, String key, long otherwise) {
        String t = text(headers, key, null);
        if (t == null) {
            return otherwise;
        }
        try {
            return Long.parseLong(t.trim());
        } catch (NumberFormatException e) {
            return otherwise; // a header written by someone else: treated as absent
        }
    }

    @Override
    public String toString() {
        return "RetryTopics" + delays.stream().map(d -> d.toMillis() + " ms").collect(Collectors.toList());
    }

    /** Settings of {@link RetryTopics}. Not thread safe. */
    public static final class Builder {
        private final Producer<byte[], byte[]> producer;
        private List<Duration> delays = DEFAULT_DELAYS;
        private Duration sendTimeout = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();

        private Builder(Producer<byte[], byte[]> producer) {
            this.producer = Objects.requireNonNull(producer, "producer");
        }

        /**
         * @param delays one stage per delay, in order, each distinct and at least 1 ms; default 1 s, 10 s, 1 min
         * @return this
         */
        public Builder delays(Duration... delays) {
            List<Duration> d = List.of(delays);
            if (d.isEmpty()) {
                throw new IllegalArgumentException("delays must not be empty");
            }
            for (Duration x : d) {
                if (x.toMillis() < 1) {
                    throw new IllegalArgumentException("delays must be >= 1 ms, but was " + x);
                }
            }
            if (d.stream().map(Duration::toMillis).distinct().count() != d.size()) {
                throw new IllegalArgumentException("delays must be distinct (they name the topics), but were " + d);
            }
            this.delays = d;
            return this;
        }

        /**
         * @param timeout how long to wait for the next topic's acknowledgement; default 30 s
         * @return this
         */
        public Builder sendTimeout(Duration timeout) {
            if (Objects.requireNonNull(timeout, "timeout").toMillis() < 1) {
                throw new IllegalArgumentException("sendTimeout must be >= 1 ms, but was " + timeout);
            }
            this.sendTimeout = timeout;
            return this;
        }

        /**
         * @param clock the time due times are written and read in; default the system clock
         * @return this
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** @return the retry topics */
        public RetryTopics build() {
            return new RetryTopics(this);
        }
    }
}
