package io.kafkalab.reliability;

import static org.awaitility.Awaitility.await;

import io.kafkalab.producer.DeliveryGuarantee;
import io.kafkalab.producer.Producers;
import io.kafkalab.testkit.KafkaCluster;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A steady stream of numbered records from an {@code AT_LEAST_ONCE} producer to one topic, sent by a thread of its
 * own while a test faults the cluster, with the outcome of every send; then read back by a separate consumer to the
 * end offsets ({@link #verify()}). Record {@code n} has key {@code k-(n % KEYS)} and value {@code n}, so a key's
 * records must arrive with rising numbers.
 */
final class AckedStream implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AckedStream.class);

    static final int KEYS = 30;
    private static final int CAPACITY = 400_000;
    private static final int PENDING = 0;
    private static final int ACKED = 1;
    private static final int FAILED = 2;

    /** What a read-back found. */
    record Verdict(long sent, long acked, long failed, long lost, long duplicates, long outOfOrder, long foreign) {
        @Override
        public String toString() {
            return sent + " sent, " + acked + " acked, " + failed + " failed, " + lost + " lost, " + duplicates
                    + " duplicates, " + outOfOrder + " out of key order, " + foreign + " foreign";
        }
    }

    final String topic;
    private final KafkaCluster cluster;
    private final Producer<String, String> producer;
    private final AtomicIntegerArray status = new AtomicIntegerArray(CAPACITY);
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicBoolean sending = new AtomicBoolean(true);
    private final Map<String, AtomicInteger> failures = new java.util.concurrent.ConcurrentHashMap<>();
    private final Thread sender;

    /**
     * Starts sending, about one record every {@code pauseMicros}.
     *
     * @param overrides producer settings beside the preset's (the preset refuses those that break its promise)
     */
    AckedStream(KafkaCluster cluster, String topic, Map<String, Object> overrides, long pauseMicros) {
        this.cluster = cluster;
        this.topic = topic;
        Map<String, Object> config = new HashMap<>(cluster.adminConfig());
        config.put(ProducerConfig.CLIENT_ID_CONFIG, topic);
        config.putAll(overrides);
        this.producer = Producers.create(DeliveryGuarantee.AT_LEAST_ONCE, config, new StringSerializer(),
                new StringSerializer());
        this.sender = new Thread(() -> {
            while (sending.get()) {
                sendOne();
                LockSupport.parkNanos(pauseMicros * 1_000);
            }
        }, "acked-stream-" + topic);
        sender.start();
    }

    private void sendOne() {
        int n = sent.get();
        if (n == CAPACITY) {
            throw new IllegalStateException(topic + ": more than " + CAPACITY + " records sent");
        }
        producer.send(new ProducerRecord<>(topic, key(n), String.valueOf(n)), (metadata, error) -> {
            if (error != null) {
                failures.computeIfAbsent(error.getClass().getSimpleName(), k -> new AtomicInteger()).incrementAndGet();
            }
            status.set(n, error == null ? ACKED : FAILED);
        });
        sent.incrementAndGet();
    }

    private static String key(int n) {
        return "k-" + n % KEYS;
    }

    int sent() {
        return sent.get();
    }

    /** @return records acknowledged among those sent from {@code from} on */
    long ackedFrom(int from) {
        long c = 0;
        for (int n = from, to = sent.get(); n < to; n++) {
            c += status.get(n) == ACKED ? 1 : 0;
        }
        return c;
    }

    /** Waits until {@code count} more records than were sent now are acknowledged: the stream goes on. */
    void awaitProgress(int count) {
        int from = sent.get();
        await().atMost(Faults.WAIT).until(() -> ackedFrom(from) >= count);
    }

    /** @return failed sends by exception class */
    Map<String, Integer> failures() {
        Map<String, Integer> copy = new HashMap<>();
        failures.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    /** Stops sending, waits for every outcome and closes the producer. Idempotent. */
    @Override
    public void close() throws InterruptedException {
        if (!sending.getAndSet(false)) {
            return;
        }
        sender.join(Faults.WAIT.toMillis());
        Producers.flush(producer, Faults.WAIT);
        await().atMost(Faults.WAIT).until(() -> {
            for (int n = 0, to = sent.get(); n < to; n++) {
                if (status.get(n) == PENDING) {
                    return false;
                }
            }
            return true;
        });
        Producers.close(producer, Faults.WAIT);
    }

    /** Closes the stream, then reads the topic from the beginning to its end offsets with a consumer of its own. */
    Verdict verify() throws InterruptedException {
        close();
        Verdict v = tally(status, sent.get(), KEYS, Faults.readToEnd(cluster, topic, new StringDeserializer(),
                new StringDeserializer()));
        LOG.info("{}: {}; failures {}", topic, v, failures());
        return v;
    }

    /**
     * Counts what a read-back of numbered records shows: record {@code n} has value {@code n} and key
     * {@code k-(n % keys)}; {@code status} holds each send's outcome (0 pending, 1 acknowledged, 2 failed).
     *
     * @param log per partition, the records in offset order
     */
    static Verdict tally(AtomicIntegerArray status, int total, int keys,
                         Map<Integer, List<ConsumerRecord<String, String>>> log) {
        int[] deliveries = new int[total];
        int[] lastSeq = new int[keys];
        Arrays.fill(lastSeq, -1);
        long outOfOrder = 0;
        long foreign = 0;
        for (List<ConsumerRecord<String, String>> partition : log.values()) {
            for (ConsumerRecord<String, String> r : partition) {
                int n = Integer.parseInt(r.value());
                if (n >= total || !r.key().equals("k-" + n % keys)) {
                    foreign++;
                    continue;
                }
                // a key's first deliveries must come with rising numbers
                if (deliveries[n]++ == 0) {
                    int seq = n / keys;
                    outOfOrder += seq <= lastSeq[n % keys] ? 1 : 0;
                    lastSeq[n % keys] = seq;
                }
            }
        }
        long acked = 0;
        long failed = 0;
        long lost = 0;
        long duplicates = 0;
        for (int n = 0; n < total; n++) {
            acked += status.get(n) == ACKED ? 1 : 0;
            failed += status.get(n) == FAILED ? 1 : 0;
            lost += status.get(n) == ACKED && deliveries[n] == 0 ? 1 : 0;
            duplicates += Math.max(0, deliveries[n] - 1);
        }
        return new Verdict(total, acked, failed, lost, duplicates, outOfOrder, foreign);
    }
}
