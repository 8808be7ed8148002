package io.kafkalab.reliability;

import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the scenarios share: replicated topics, finding leaders, bouncing a broker, reading a topic to its end. */
final class Faults {

    private static final Logger LOG = LoggerFactory.getLogger(Faults.class);

    /** Generous bound on any single wait: a shared 2-core machine can be slow, but never hangs the build. */
    static final Duration WAIT = Duration.ofSeconds(90);

    private Faults() {
    }

    /**
     * Creates a topic with replication factor 3 and {@code min.insync.replicas=2}: an acknowledged write is on
     * two brokers at least, and one broker may be down without stopping writes.
     *
     * @return the unique topic name
     */
    static String replicatedTopic(KafkaCluster cluster, String prefix, int partitions) {
        String topic = KafkaTestUtils.uniqueTopic(prefix);
        cluster.createTopic(topic, partitions, 3, Map.of("min.insync.replicas", "2"));
        return topic;
    }

    /**
     * Creates a topic replicated as far as the cluster allows: factor 3 and {@code min.insync.replicas=2}, or on
     * fewer brokers factor and minimum 1.
     *
     * @return the unique topic name
     */
    static String topic(KafkaCluster cluster, String prefix, int partitions) {
        if (cluster.brokerIds().size() >= 3) {
            return replicatedTopic(cluster, prefix, partitions);
        }
        String topic = KafkaTestUtils.uniqueTopic(prefix);
        cluster.createTopic(topic, partitions, 1);
        return topic;
    }

    /** @return the broker leading {@code partition} of {@code topic} now */
    static int leaderOf(KafkaCluster cluster, String topic, int partition) {
        return cluster.describeTopic(topic).partitions().get(partition).leader();
    }

    /** Starts a stopped broker and waits until every replica of {@code topic} is back in sync. */
    static void restart(KafkaCluster cluster, int broker, String topic) {
        long begin = System.nanoTime();
        cluster.startBroker(broker);
        cluster.awaitFullyReplicated(topic);
        LOG.info("broker {} back, {} fully replicated in {} ms", broker, topic, (System.nanoTime() - begin) / 1_000_000);
    }

    /**
     * Reads every partition of a topic from its beginning to the end offset it has now, without a group.
     *
     * @return per partition, the records in offset order
     */
    static <K, V> Map<Integer, List<ConsumerRecord<K, V>>> readToEnd(KafkaCluster cluster, String topic,
                                                                    Deserializer<K> keys, Deserializer<V> values) {
        return readToEnd(cluster, topic, keys, values, Map.of());
    }

    /**
     * {@link #readToEnd(KafkaCluster, String, Deserializer, Deserializer)} with more consumer settings, such as
     * {@code isolation.level=read_committed}.
     */
    static <K, V> Map<Integer, List<ConsumerRecord<K, V>>> readToEnd(KafkaCluster cluster, String topic,
                                                                    Deserializer<K> keys, Deserializer<V> values,
                                                                    Map<String, Object> settings) {
        Map<TopicPartition, Long> end = KafkaTestUtils.endOffsets(cluster, topic);
        Map<String, Object> config = new HashMap<>(cluster.adminConfig());
        config.putAll(settings);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        Map<Integer, List<ConsumerRecord<K, V>>> result = new HashMap<>();
        end.keySet().forEach(tp -> result.put(tp.partition(), new ArrayList<>()));
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(config, keys, values)) {
            consumer.assign(end.keySet());
            consumer.seekToBeginning(end.keySet());
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("did not read " + topic + " to its end offsets " + end + " within "
                            + WAIT.toSeconds() + " s");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(r -> result.get(r.partition()).add(r));
            }
        }
        return result;
    }
}
