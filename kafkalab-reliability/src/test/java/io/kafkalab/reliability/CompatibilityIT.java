package io.kafkalab.reliability;

import static org.awaitility.Awaitility.await;

import io.kafkalab.consumer.CommitPolicy;
import io.kafkalab.consumer.ConsumerRunner;
import io.kafkalab.consumer.DeadLetterPolicy;
import io.kafkalab.consumer.ErrorPolicy;
import io.kafkalab.producer.DeliveryGuarantee;
import io.kafkalab.producer.Producers;
import io.kafkalab.reliability.CompatibilityReport.Row;
import io.kafkalab.reliability.ConsumersUnderFailureIT.Ledger;
import io.kafkalab.reliability.ConsumersUnderFailureIT.Phase;
import io.kafkalab.segment.SegmentedSendResult;
import io.kafkalab.segment.SegmentingProducer;
import io.kafkalab.segment.Segments;
import io.kafkalab.testkit.ForkedKafkaCluster;
import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.assertj.core.api.Assertions;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compatibility matrix: the core's promises against every supported broker version, each on a forked cluster
 * of its own (every node a child JVM running that version's jars) and the current clients: each delivery preset
 * (EXACTLY_ONCE's transactions included), a runner per commit policy, segmenting and reassembly, the dead-letter
 * path. The features of one version run at once, each on its own topics and groups. Writes
 * {@code docs/compatibility.md} (see {@link CompatibilityReport}). The short form (CI) sends a few hundred records
 * per feature; {@code -Dkafkalab.reliability.full=true} sends thousands.
 */
@ExtendWith(ForkedClusters.class)
class CompatibilityIT {

    private static final Logger LOG = LoggerFactory.getLogger(CompatibilityIT.class);

    static final int RECORDS = LongForm.pick(200, 5_000);
    static final int SEGMENTED = LongForm.pick(20, 300);
    static final int SEGMENT_BYTES = 16 * 1024;
    static final int MAX_MESSAGE_BYTES = 100_000;
    /** Every this many records, the dead-letter feature's handler fails. */
    static final int FAIL_EVERY = 10;

    /**
     * A broker version and mode, and the cluster that runs it.
     *
     * @param version the broker version
     * @param mode    {@code KRaft} or {@code ZooKeeper}
     * @param cluster starts (or finds) the cluster
     */
    record Target(String version, String mode, Supplier<ForkedKafkaCluster> cluster) {
        @Override
        public String toString() {
            return "Kafka " + version + " " + mode;
        }

        /** 3.9.1: one broker and one controller (a quick start; the features need no replication). */
        static Target kraft(String version) {
            return new Target(version, "KRaft", () -> ForkedClusters.shared("compat-" + version,
                    b -> b.version(version).brokers(1).controllers(1)));
        }

        /** 3.9.1 on ZooKeeper (seed 004's world): ZooKeeper and one broker. */
        static Target zooKeeper(String version) {
            return new Target(version, "ZooKeeper", () -> ForkedClusters.shared("compat-zk-" + version,
                    b -> b.version(version).zookeeper().brokers(1)));
        }
    }

    /**
     * The supported versions and modes. The current one runs on the hard-fault suite's cluster (3 brokers,
     * 3 controllers), started once for both.
     */
    static Stream<Target> targets() {
        return Stream.of(Target.kraft("3.9.1"), Target.zooKeeper("3.9.1"),
                new Target(ForkedClusters.CURRENT, "KRaft", ForkedClusters::faults));
    }

    /** One feature: checks it on the cluster and says what it saw; throws when a promise is broken. */
    @FunctionalInterface
    interface Feature {
        String check(KafkaCluster cluster) throws Exception;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void theCorePromisesHoldOn(Target target) throws Exception {
        ForkedKafkaCluster cluster = target.cluster().get();
        Map<String, Feature> features = new java.util.LinkedHashMap<>();
        features.put("producer AT_MOST_ONCE", c -> preset(c, DeliveryGuarantee.AT_MOST_ONCE));
        features.put("producer AT_LEAST_ONCE", c -> preset(c, DeliveryGuarantee.AT_LEAST_ONCE));
        features.put("producer EXACTLY_ONCE (transactions)", CompatibilityIT::transactions);
        features.put("runners, every commit policy", CompatibilityIT::runners);
        features.put("segmenting + reassembly", CompatibilityIT::segmented);
        features.put("dead-letter path (retry, then DLT)", CompatibilityIT::deadLetter);
        ExecutorService pool = Executors.newFixedThreadPool(features.size());
        SoftAssertions softly = new SoftAssertions();
        try {
            Map<String, CompletableFuture<Row>> running = new java.util.LinkedHashMap<>();
            features.forEach((name, f) -> running.put(name, CompletableFuture.supplyAsync(() -> run(target, cluster,
                    name, f), pool)));
            for (Map.Entry<String, CompletableFuture<Row>> e : running.entrySet()) {
                Row row = e.getValue().get(Faults.WAIT.toSeconds() * 2, TimeUnit.SECONDS);
                CompatibilityReport.add(row);
                softly.assertThat(row.passed()).as("%s, %s: %s", target, e.getKey(), row.result()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        softly.assertAll();
    }

    private static Row run(Target target, KafkaCluster cluster, String feature, Feature f) {
        long begin = System.nanoTime();
        String result;
        boolean passed;
        try {
            result = f.check(cluster);
            passed = true;
        } catch (Throwable e) {
            LOG.error("{} {}: {} failed", target, cluster, feature, e);
            result = e.toString().replace('\n', ' ');
            passed = false;
        }
        return new Row(target.version(), target.mode(), feature, passed, result,
                Duration.ofNanos(System.nanoTime() - begin));
    }

    private static Map<String, Object> producerConfig(KafkaCluster cluster, String clientId) {
        Map<String, Object> config = new HashMap<>(cluster.adminConfig());
        config.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        return config;
    }

    /** Key and value of the records that make sure every partition takes writes before a preset's run. */
    private static final String PROBE = "probe";

    /** Sends RECORDS keyed records with the preset; a separate consumer finds each once, in key order. */
    private static String preset(KafkaCluster cluster, DeliveryGuarantee guarantee) throws Exception {
        String topic = Faults.topic(cluster, "compat-" + guarantee.name().toLowerCase(java.util.Locale.ROOT)
                .replace('_', '-'), 3);
        // a write to every partition first, with retries: right after the topic is created a leader may not know
        // yet that it leads, and AT_MOST_ONCE (no retries) then loses every send of the run (seen in CI on a loaded
        // machine: 0 acknowledged); the probes are left out of what is read back
        KafkaTestUtils.produce(cluster, topic, 3, p -> new ProducerRecord<>(topic, p, PROBE, PROBE));
        List<CompletableFuture<?>> acks = new ArrayList<>();
        try (Producer<String, String> producer = Producers.create(guarantee, producerConfig(cluster, topic),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < RECORDS; i++) {
                acks.add(Producers.send(producer, new ProducerRecord<>(topic, "k" + i % 10, String.valueOf(i))));
            }
            // settled, failed or not: a failure is checked below
            CompletableFuture.allOf(acks.stream().map(f -> f.handle((v, e) -> null)).toArray(CompletableFuture[]::new))
                    .get(Faults.WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        Set<Integer> acked = new java.util.TreeSet<>();
        List<String> refused = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            try {
                acks.get(i).join();
                acked.add(i);
            } catch (java.util.concurrent.CompletionException e) {
                // AT_MOST_ONCE does not retry: a send the broker refused as retriable (a leader not yet known
                // everywhere right after the topic was created) is lost, as the guarantee allows; nothing else may be
                Assertions.assertThat(guarantee).as("a failed send under %s: %s", guarantee, e.getCause())
                        .isEqualTo(DeliveryGuarantee.AT_MOST_ONCE);
                Assertions.assertThat(e.getCause()).isInstanceOf(org.apache.kafka.common.errors.RetriableException.class);
                refused.add(e.getCause().getClass().getSimpleName());
            }
        }
        Assertions.assertThat(acked).as("acknowledged").isNotEmpty();
        // acks=1 (AT_MOST_ONCE): the leader acknowledges before the followers copy, and consumers see a record only
        // once it is replicated (the high watermark), so the read waits for that
        await().atMost(Faults.WAIT).until(() -> KafkaTestUtils.endOffsets(cluster, topic).values().stream()
                .mapToLong(Long::longValue).sum() >= acked.size() + 3L); // and the 3 probes
        List<Integer> read = values(Faults.readToEnd(cluster, topic, new StringDeserializer(),
                new StringDeserializer()), 10);
        Assertions.assertThat(read).as("each acknowledged record once").doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(acked);
        return acked.size() + " of " + RECORDS + " acked" + (refused.isEmpty() ? ""
                : " (" + refused.size() + " refused as retriable and, at most once, not retried: "
                        + String.join(", ", new java.util.TreeSet<>(refused)) + ")")
                + ", " + read.size() + " read, each once, in key order";
    }

    /**
     * Reads the values (numbers) of every partition and checks that each key's ({@code n % keys}) rise.
     *
     * @return every value read
     */
    private static List<Integer> values(Map<Integer, List<ConsumerRecord<String, String>>> log, int keys) {
        List<Integer> all = new ArrayList<>();
        int[] last = new int[keys];
        java.util.Arrays.fill(last, -1);
        for (List<ConsumerRecord<String, String>> partition : log.values()) {
            for (ConsumerRecord<String, String> r : partition) {
                if (PROBE.equals(r.key())) {
                    continue;
                }
                int n = Integer.parseInt(r.value());
                Assertions.assertThat(n).as("key %s: order", r.key()).isGreaterThan(last[n % keys]);
                last[n % keys] = n;
                all.add(n);
            }
        }
        return all;
    }

    /**
     * Two committed transactions around an aborted one: a {@code read_committed} consumer sees the committed records
     * once each, and nothing of the aborted one.
     */
    private static String transactions(KafkaCluster cluster) throws Exception {
        String topic = Faults.topic(cluster, "compat-eos", 3);
        Map<String, Object> config = producerConfig(cluster, topic);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, topic + "-tx");
        Set<Integer> committed = new java.util.HashSet<>();
        try (Producer<String, String> producer = Producers.create(DeliveryGuarantee.EXACTLY_ONCE, config,
                new StringSerializer(), new StringSerializer())) {
            // Producers.create has done initTransactions()
            int third = RECORDS / 3;
            for (int t = 0; t < 3; t++) {
                producer.beginTransaction();
                for (int i = t * third; i < (t + 1) * third; i++) {
                    producer.send(new ProducerRecord<>(topic, "k" + i % 10, String.valueOf(i)));
                    if (t != 1) {
                        committed.add(i);
                    }
                }
                if (t == 1) {
                    producer.flush(); // in the log before the abort: read_committed must skip them, not never see them
                    producer.abortTransaction();
                } else {
                    producer.commitTransaction();
                }
            }
        }
        List<Integer> read = values(Faults.readToEnd(cluster, topic, new StringDeserializer(),
                new StringDeserializer(), Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")), 10);
        Assertions.assertThat(read).as("read_committed: the committed transactions' records, once each")
                .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(committed);
        long inLog = KafkaTestUtils.endOffsets(cluster, topic).values().stream().mapToLong(Long::longValue).sum();
        return "2 committed + 1 aborted transaction: " + read.size() + " records read_committed, 0 aborted ones, "
                + inLog + " offsets in the log (markers and aborted records included)";
    }

    /**
     * A runner per commit policy, all at once, each on its own topic and group: every record once, and the group
     * committed to the end offsets after close.
     */
    private static String runners(KafkaCluster cluster) throws Exception {
        Map<PolicyCase, Ledger> ledgers = new EnumMap<>(PolicyCase.class);
        for (PolicyCase c : PolicyCase.values()) {
            String prefix = "compat-" + c.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            ledgers.put(c, new Ledger(c, Faults.topic(cluster, prefix, 3), KafkaTestUtils.uniqueGroup(prefix)));
        }
        List<ConsumerRunner<String, String>> runners = new ArrayList<>();
        try (Producer<String, String> producer = Producers.create(DeliveryGuarantee.AT_LEAST_ONCE,
                producerConfig(cluster, "compat-runners"), new StringSerializer(), new StringSerializer())) {
            ledgers.values().forEach(l -> runners.add(ConsumersUnderFailureIT.start(cluster, l, null)));
            ConsumersUnderFailureIT.produce(producer, ledgers, Phase.KILL, RECORDS);
            await().atMost(Faults.WAIT).until(() -> ledgers.values().stream().allMatch(Ledger::caughtUp));
        } finally {
            runners.forEach(r -> r.close(Faults.WAIT));
        }
        List<String> broken = new ArrayList<>();
        for (Ledger l : ledgers.values()) {
            Map<TopicPartition, Long> end = KafkaTestUtils.endOffsets(cluster, l.topic);
            if (l.duplicates.get(Phase.KILL.ordinal()) != 0 || l.lost(Phase.KILL) != 0
                    || !KafkaTestUtils.committedOffsets(cluster, l.group).equals(end)) {
                broken.add(l.policy + ": " + l.lost(Phase.KILL) + " lost, " + l.duplicates.get(Phase.KILL.ordinal())
                        + " duplicates, committed " + KafkaTestUtils.committedOffsets(cluster, l.group) + " of "
                        + end);
            }
        }
        Assertions.assertThat(broken).as("policies that lost, duplicated or did not commit to the end").isEmpty();
        return ledgers.size() + " policies (" + ledgers.keySet().stream().map(PolicyCase::label)
                .collect(Collectors.joining("; ")) + "): " + RECORDS + " records each, each once, committed to the"
                + " end after close";
    }

    /** Messages of up to 100 KB in 16 KB segments, read by a reassembling runner: each once, CRC32C and length kept. */
    private static String segmented(KafkaCluster cluster) throws Exception {
        String topic = Faults.topic(cluster, "compat-segmented", 3);
        String group = KafkaTestUtils.uniqueGroup("compat-segmented");
        Map<String, String> expected = new ConcurrentHashMap<>();
        long segments = 0;
        Random random = new Random(42);
        try (Producer<String, byte[]> producer = Producers.create(DeliveryGuarantee.AT_LEAST_ONCE,
                producerConfig(cluster, topic), new StringSerializer(), new ByteArraySerializer())) {
            SegmentingProducer<String> segmenting = new SegmentingProducer<>(producer, SEGMENT_BYTES);
            for (int i = 0; i < SEGMENTED; i++) {
                byte[] data = new byte[1 + random.nextInt(MAX_MESSAGE_BYTES)];
                random.nextBytes(data);
                SegmentedSendResult r = segmenting.send(topic, "user-" + i % 5, data).get(Faults.WAIT.toSeconds(),
                        TimeUnit.SECONDS);
                expected.put(r.messageId().toString(), Segments.crc32c(data) + " " + data.length);
                segments += r.segmentCount();
            }
        }
        List<String> delivered = new CopyOnWriteArrayList<>();
        ConsumerRunner<String, byte[]> runner = ChildSegmentedMain.runner(cluster.bootstrapServers(), topic, group,
                delivered::add).start();
        try {
            await().atMost(Faults.WAIT).until(() -> delivered.size() >= expected.size());
        } finally {
            runner.close(Faults.WAIT);
        }
        Map<String, String> got = delivered.stream().map(l -> l.split(" "))
                .collect(Collectors.toMap(d -> d[1], d -> d[2] + " " + d[3]));
        Assertions.assertThat(delivered).as("each message once").hasSameSizeAs(got.keySet());
        Assertions.assertThat(got).as("every message, CRC32C and length as sent").isEqualTo(expected);
        return SEGMENTED + " messages in " + segments + " segments, each reassembled once with its CRC32C and length";
    }

    /**
     * A handler that fails every tenth record; {@code retry(2)} then {@code deadLetter}: the failed records on
     * {@code <topic>.DLT} with their origin headers, the others handled, all committed.
     */
    private static String deadLetter(KafkaCluster cluster) throws Exception {
        String topic = Faults.topic(cluster, "compat-dlt", 3);
        String dlt = topic + ".DLT";
        cluster.createTopic(dlt, 1, Math.min(3, cluster.brokerIds().size()));
        String group = KafkaTestUtils.uniqueGroup("compat-dlt");
        Set<Integer> handled = ConcurrentHashMap.newKeySet();
        Map<String, Object> consumer = new HashMap<>(cluster.adminConfig());
        consumer.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (Producer<String, String> producer = Producers.create(DeliveryGuarantee.AT_LEAST_ONCE,
                producerConfig(cluster, topic), new StringSerializer(), new StringSerializer());
             Producer<byte[], byte[]> dead = Producers.create(DeliveryGuarantee.AT_LEAST_ONCE,
                     producerConfig(cluster, dlt), new ByteArraySerializer(), new ByteArraySerializer())) {
            List<CompletableFuture<?>> acks = new ArrayList<>();
            for (int i = 0; i < RECORDS; i++) {
                acks.add(Producers.send(producer, new ProducerRecord<>(topic, "k" + i % 10, String.valueOf(i))));
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(Faults.WAIT.toSeconds(),
                    TimeUnit.SECONDS);
            ConsumerRunner<String, String> runner = ConsumerRunner.builder(consumer, new StringDeserializer(),
                            new StringDeserializer())
                    .topics(topic).commitPolicy(CommitPolicy.afterEachRecord())
                    .errorPolicy(ErrorPolicy.retry(2, Duration.ofMillis(10), Duration.ofMillis(10),
                            ErrorPolicy.deadLetter(dead)))
                    .records(r -> {
                        int n = Integer.parseInt(r.value());
                        if (n % FAIL_EVERY == 0) {
                            throw new IllegalStateException("record " + n + " fails");
                        }
                        handled.add(n);
                    }).start();
            try {
                await().atMost(Faults.WAIT).until(() -> handled.size() + runner.metrics().deadLettered() >= RECORDS
                        || !runner.isRunning());
            } finally {
                runner.close(Faults.WAIT);
            }
            Assertions.assertThat(runner.failure()).as("runner failure").isNull();
            Assertions.assertThat(runner.metrics().deadLettered()).as("dead-lettered").isEqualTo(RECORDS / FAIL_EVERY);
        }
        List<ConsumerRecord<byte[], byte[]>> letters = Faults.readToEnd(cluster, dlt, new ByteArrayDeserializer(),
                new ByteArrayDeserializer()).get(0);
        Set<Integer> lettered = letters.stream().map(r -> Integer.parseInt(new String(r.value(),
                StandardCharsets.UTF_8))).collect(Collectors.toSet());
        Assertions.assertThat(letters).as("each failed record once on the DLT").hasSize(RECORDS / FAIL_EVERY);
        Assertions.assertThat(lettered).allMatch(n -> n % FAIL_EVERY == 0);
        for (ConsumerRecord<byte[], byte[]> r : letters) {
            Assertions.assertThat(header(r, DeadLetterPolicy.ORIGINAL_TOPIC)).isEqualTo(topic);
            Assertions.assertThat(header(r, DeadLetterPolicy.ATTEMPTS)).isEqualTo("2");
        }
        Assertions.assertThat(handled).as("the other records handled").hasSize(RECORDS - RECORDS / FAIL_EVERY);
        Assertions.assertThat(KafkaTestUtils.committedOffsets(cluster, group)).as("committed to the end")
                .isEqualTo(KafkaTestUtils.endOffsets(cluster, topic));
        return handled.size() + " handled, " + letters.size() + " on " + "<topic>.DLT after 2 attempts each, with"
                + " origin headers; committed to the end";
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
        Header h = r.headers().lastHeader(key);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
