package io.kafkalab.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What integration tests do constantly, against any {@link KafkaCluster}: unique names, produce records
 * and wait for their acknowledgements, consume until a count or a timeout (polling, never sleeping),
 * read a group's committed offsets.
 *
 * <p>Results are plain lists and maps, so AssertJ reads them directly:
 * <pre>{@code
 * String topic = KafkaTestUtils.uniqueTopic("orders");
 * cluster.createTopic(topic, 3, 2);
 * KafkaTestUtils.produce(cluster, topic, 100, i -> new ProducerRecord<>(topic, "k" + i % 10, "v" + i));
 * assertThat(KafkaTestUtils.consume(cluster, topic, 100, Duration.ofSeconds(30))).hasSize(100);
 * }</pre>
 *
 * <p>All methods are thread safe; each creates and closes its own clients.
 */
public final class KafkaTestUtils {

    private static final AtomicLong COUNTER = new AtomicLong();

    private KafkaTestUtils() {
    }

    /**
     * @param prefix readable start of the name, for example the test's subject
     * @return {@code prefix-N-xxxxxxxx}: unique in this JVM and, with its random part, across runs
     */
    public static String uniqueName(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        return prefix + "-" + COUNTER.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** @return a unique topic name; see {@link #uniqueName(String)} */
    public static String uniqueTopic(String prefix) {
        return uniqueName(prefix);
    }

    /** @return a unique consumer group id; see {@link #uniqueName(String)} */
    public static String uniqueGroup(String prefix) {
        return uniqueName(prefix);
    }

    /**
     * Producer settings for the cluster with {@code acks=all} and idempotence, String serializers.
     *
     * @param cluster the cluster
     * @return a mutable map; add or replace entries as needed
     */
    public static Map<String, Object> producerConfig(KafkaCluster cluster) {
        Map<String, Object> config = new HashMap<>(cluster.adminConfig());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        return config;
    }

    /**
     * Consumer settings for the cluster: the group, {@code auto.offset.reset=earliest}, no auto-commit,
     * String deserializers.
     *
     * @param cluster the cluster
     * @param groupId the consumer group
     * @return a mutable map; add or replace entries as needed
     */
    public static Map<String, Object> consumerConfig(KafkaCluster cluster, String groupId) {
        Map<String, Object> config = new HashMap<>(cluster.adminConfig());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        return config;
    }

    /**
     * Produces {@code count} String records with {@code acks=all} and waits until each is acknowledged.
     *
     * @param cluster the cluster
     * @param topic   the topic, for the error message
     * @param count   how many records
     * @param record  builds record {@code i} (0-based)
     * @return the metadata of each record, in the order produced
     * @throws KafkaClusterException when a send fails or is not acknowledged within 60 s
     */
    public static List<RecordMetadata> produce(KafkaCluster cluster, String topic, int count,
                                               IntFunction<ProducerRecord<String, String>> record) {
        return produce(producerConfig(cluster), topic, count, record);
    }

    /**
     * Produces as {@link #produce(KafkaCluster, String, int, IntFunction)} does, with the given producer settings
     * (for example {@link #producerConfig(KafkaCluster)} with idempotence off).
     *
     * @param producerConfig settings of a {@code KafkaProducer<String, String>}, serializers included
     * @throws KafkaClusterException when a send fails or is not acknowledged within 60 s
     */
    public static List<RecordMetadata> produce(Map<String, Object> producerConfig, String topic, int count,
                                               IntFunction<ProducerRecord<String, String>> record) {
        Objects.requireNonNull(record, "record");
        KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig);
        List<RecordMetadata> acks = new ArrayList<>(count);
        try {
            List<Future<RecordMetadata>> futures = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                futures.add(producer.send(record.apply(i)));
            }
            // no flush(): it waits without a bound (an idempotent producer that gets no producer id waits forever)
            long deadline = System.nanoTime() + PRODUCE_TIMEOUT.toNanos();
            for (Future<RecordMetadata> f : futures) {
                acks.add(f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            }
            return acks;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaClusterException("interrupted while producing to " + topic, e);
        } catch (TimeoutException e) {
            throw new KafkaClusterException("producing to " + topic + ": " + (count - acks.size()) + " of " + count
                    + " records not acknowledged within " + PRODUCE_TIMEOUT.toSeconds() + " s", e);
        } catch (ExecutionException e) {
            throw new KafkaClusterException("producing to " + topic + " failed: " + e, e);
        } finally {
            producer.close(Duration.ofSeconds(5)); // what is not sent by then is abandoned: the call failed already
        }
    }

    private static final Duration PRODUCE_TIMEOUT = Duration.ofSeconds(60);

    /**
     * Reads a topic from the beginning of every partition, without a consumer group, until {@code count}
     * records have arrived or {@code timeout} passes.
     *
     * @return the records read, at most {@code count}; fewer when the timeout passed first
     * @see #consume(KafkaCluster, String, int, Duration, Deserializer, Deserializer)
     */
    public static List<ConsumerRecord<String, String>> consume(KafkaCluster cluster, String topic, int count,
                                                               Duration timeout) {
        return consume(cluster, topic, count, timeout, new StringDeserializer(), new StringDeserializer());
    }

    /**
     * Reads a topic from the beginning of every partition, without a consumer group (so nothing is
     * committed), until {@code count} records have arrived or {@code timeout} passes.
     *
     * @param cluster           the cluster
     * @param topic             an existing topic
     * @param count             how many records to wait for
     * @param timeout           the bound
     * @param keyDeserializer   for the keys
     * @param valueDeserializer for the values
     * @param <K>               key type
     * @param <V>               value type
     * @return the records read in the order polled, at most {@code count}; fewer when the timeout passed
     */
    public static <K, V> List<ConsumerRecord<K, V>> consume(KafkaCluster cluster, String topic, int count,
                                                            Duration timeout, Deserializer<K> keyDeserializer,
                                                            Deserializer<V> valueDeserializer) {
        return consume(cluster, topic, count, timeout, Map.of(), keyDeserializer, valueDeserializer);
    }

    /**
     * As {@link #consume(KafkaCluster, String, int, Duration, Deserializer, Deserializer)}, with extra consumer
     * settings such as {@code isolation.level=read_committed}.
     *
     * @param consumerConfig extra consumer settings; they override the defaults
     */
    public static <K, V> List<ConsumerRecord<K, V>> consume(KafkaCluster cluster, String topic, int count,
                                                            Duration timeout, Map<String, ?> consumerConfig,
                                                            Deserializer<K> keyDeserializer,
                                                            Deserializer<V> valueDeserializer) {
        Map<String, Object> config = new HashMap<>(cluster.adminConfig());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.putAll(consumerConfig);
        List<ConsumerRecord<K, V>> records = new ArrayList<>(count);
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(config, keyDeserializer, valueDeserializer)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                long leftMillis = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                for (ConsumerRecord<K, V> r : consumer.poll(Duration.ofMillis(Math.min(leftMillis, 500)))) {
                    if (records.size() < count) {
                        records.add(r);
                    }
                }
            }
        }
        return records;
    }

    /**
     * The offsets a consumer group has committed: for each partition, the next offset it will read.
     *
     * @param cluster the cluster
     * @param groupId the consumer group
     * @return partition to committed offset; partitions without a commit are absent
     */
    public static Map<TopicPartition, Long> committedOffsets(KafkaCluster cluster, String groupId) {
        Map<TopicPartition, OffsetAndMetadata> offsets = cluster.await(
                cluster.admin().listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata(),
                "committed offsets of group " + groupId);
        return offsets.entrySet().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    /**
     * The end offset (the offset the next record will get) of every partition of a topic.
     *
     * @param cluster the cluster
     * @param topic   an existing topic
     * @return partition to end offset
     */
    public static Map<TopicPartition, Long> endOffsets(KafkaCluster cluster, String topic) {
        TopicInfo info = cluster.describeTopic(topic);
        Map<TopicPartition, OffsetSpec> request = info.partitions().stream()
                .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
        return cluster.await(cluster.admin().listOffsets(request).all(), "end offsets of " + topic)
                .entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    /**
     * Finds {@code count} consecutive ports that are free on 127.0.0.1 now, between 20000 and 30000
     * (below the Linux ephemeral range, so clients' own sockets rarely take them), for a cluster started
     * with fixed ports. The ports are not reserved: bind them soon.
     *
     * @param count how many consecutive ports, 1 to 100
     * @return the first port of the run
     * @throws KafkaClusterException when no such run is free
     */
    public static int freePortRange(int count) {
        if (count < 1 || count > 100) {
            throw new IllegalArgumentException("count must be between 1 and 100, but was " + count);
        }
        int start = 20000 + (int) (ProcessHandle.current().pid() * 37 % 9000);
        for (int i = 0; i < 10000; i += count) {
            int base = 20000 + (start - 20000 + i) % (10000 - count);
            if (allFree(base, count)) {
                return base;
            }
        }
        throw new KafkaClusterException("no " + count + " consecutive free ports between 20000 and 30000");
    }

    private static boolean allFree(int base, int count) {
        for (int p = base; p < base + count; p++) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p));
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
