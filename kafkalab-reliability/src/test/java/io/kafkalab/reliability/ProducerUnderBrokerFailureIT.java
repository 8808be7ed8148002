package io.kafkalab.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkalab.producer.DeliveryGuarantee;
import io.kafkalab.producer.Producers;
import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.junit.KafkaTest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer's half of at-least-once, the way Kafka's own system tests prove it: produce through broker
 * bounces, then verify with a separate consumer that every acknowledged message arrived.
 */
@KafkaTest(brokers = 3)
class ProducerUnderBrokerFailureIT {

    private static final Logger LOG = LoggerFactory.getLogger(ProducerUnderBrokerFailureIT.class);

    static final int MESSAGES = 200_000;
    static final int KEYS = 60;
    static final int PARTITIONS = 6;
    static final int BOUNCES = 3;
    /** A chunk before each bounce, one while the broker is down, one while it restarts, and a last one. */
    static final int CHUNKS = 3 * BOUNCES + 1;

    private static final int ACKED = 1;
    private static final int FAILED = 2;

    @Test
    void everyAcknowledgedMessageArrivesOnceAndInKeyOrderThroughLeaderBounces(KafkaCluster cluster) throws Exception {
        long begin = System.nanoTime();
        long[] sums = new long[4];
        int rounds = Soak.rounds(round -> {
            long[] r = oneRound(cluster);
            for (int i = 0; i < sums.length; i++) {
                sums[i] += r[i];
            }
        });
        ReliabilityReport.add(new ReliabilityReport.Row(1, "producer: AT_LEAST_ONCE, " + rounds + " x " + MESSAGES
                + " messages, " + BOUNCES + " bounces of a partition leader each", sums[0], sums[1], sums[2], sums[3],
                "0 (idempotence); per-key order kept", Duration.ofNanos(System.nanoTime() - begin)));
    }

    /** @return messages, acked, lost, duplicates */
    private long[] oneRound(KafkaCluster cluster) {
        long begin = System.nanoTime();
        String topic = Faults.replicatedTopic(cluster, "produce-bounce", PARTITIONS);
        AtomicIntegerArray status = new AtomicIntegerArray(MESSAGES);
        AtomicInteger resolved = new AtomicInteger();
        Map<String, Object> config = new HashMap<>(cluster.adminConfig());
        config.put(ProducerConfig.CLIENT_ID_CONFIG, topic);
        int[] next = {0};
        int[] chunks = {0};
        try (Producer<String, String> producer = Producers.create(DeliveryGuarantee.AT_LEAST_ONCE, config,
                new StringSerializer(), new StringSerializer())) {
            Runnable sendChunk = () -> {
                int to = ++chunks[0] == CHUNKS ? MESSAGES : next[0] + MESSAGES / CHUNKS;
                for (int n = next[0]; n < to; n++) {
                    int id = n;
                    Producers.send(producer, new ProducerRecord<>(topic, key(n), String.valueOf(n)))
                            .whenComplete((metadata, error) -> {
                                status.set(id, error == null ? ACKED : FAILED);
                                resolved.incrementAndGet();
                                if (error != null) {
                                    LOG.warn("message {} failed: {}", id, error.toString());
                                }
                            });
                }
                next[0] = to;
            };
            for (int b = 0; b < BOUNCES; b++) {
                int partition = b % PARTITIONS;
                int leader = Faults.leaderOf(cluster, topic, partition);
                sendChunk.run(); // in flight while the leader moves away
                cluster.stopBroker(leader);
                LOG.info("bounce {}: stopped broker {}, the leader of partition {}", b + 1, leader, partition);
                sendChunk.run(); // while the broker is down: two in-sync replicas still take acks=all writes
                int sent = next[0];
                await().atMost(Faults.WAIT).until(() -> resolved.get() >= sent);
                sendChunk.run(); // while it restarts and catches up
                Faults.restart(cluster, leader, topic);
            }
            sendChunk.run();
            assertThat(next[0]).isEqualTo(MESSAGES);
            Producers.flush(producer, Faults.WAIT);
            await().atMost(Faults.WAIT).until(() -> resolved.get() == MESSAGES);
        }
        long sendMillis = (System.nanoTime() - begin) / 1_000_000;

        // a separate consumer reads the whole topic
        AckedStream.Verdict v = AckedStream.tally(status, MESSAGES, KEYS, Faults.readToEnd(cluster, topic,
                new StringDeserializer(), new StringDeserializer()));
        long foreign = v.foreign();
        long acked = v.acked();
        long failed = v.failed();
        long lost = v.lost();
        long duplicates = v.duplicates();
        long outOfOrder = v.outOfOrder();
        LOG.info("producer round: {} sent, {} acked, {} failed (reported, not lost), {} lost, {} duplicates, {} out of"
                        + " key order; produce with {} bounces {} ms", MESSAGES, acked, failed, lost, duplicates,
                outOfOrder, BOUNCES, sendMillis);
        assertThat(foreign).as("records with a key that does not match their value").isZero();
        assertThat(acked + failed).isEqualTo(MESSAGES);
        // every stop is graceful and two in-sync replicas stay up: the preset retries through each bounce, so a
        // failed send is a broken promise here, not an expected loss
        assertThat(failed).as("failed sends; the preset rides out graceful leader bounces").isZero();
        assertThat(lost).as("acknowledged messages missing from the log").isZero();
        assertThat(duplicates).as("duplicates; idempotence must prevent them").isZero();
        assertThat(outOfOrder).as("messages out of order within their key").isZero();
        return new long[] {MESSAGES, acked, lost, duplicates};
    }

    private static String key(int n) {
        return "k-" + n % KEYS;
    }
}
