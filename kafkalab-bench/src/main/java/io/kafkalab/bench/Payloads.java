package io.kafkalab.bench;

import io.kafkalab.testkit.KafkaCluster;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/** Payloads and topics shared by the comparisons. */
final class Payloads {

    private static final AtomicInteger TOPICS = new AtomicInteger();

    private Payloads() {
    }

    /** 1024 distinct random values of {@code size} bytes, the same in every run (seeded). */
    static byte[][] values(int size) {
        byte[][] values = new byte[1024][];
        Random random = new Random(42);
        for (int i = 0; i < values.length; i++) {
            values[i] = new byte[size];
            random.nextBytes(values[i]);
        }
        return values;
    }

    /** A bytes array of {@code size} random bytes (seeded). */
    static byte[] bytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** Creates a new topic with 3 partitions and replication factor 2 (the lab's) and returns its name. */
    static String topic(KafkaCluster cluster, String prefix) {
        return topic(cluster, prefix, 3);
    }

    /** Creates a new topic with {@code partitions} partitions and replication factor 2 and returns its name. */
    static String topic(KafkaCluster cluster, String prefix, int partitions) {
        String topic = "bench-" + prefix + "-" + TOPICS.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
        cluster.createTopic(topic, partitions, 2);
        return topic;
    }
}
