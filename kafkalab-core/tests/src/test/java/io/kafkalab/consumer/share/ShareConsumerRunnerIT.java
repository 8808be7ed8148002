package io.kafkalab.consumer.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkalab.consumer.ErrorPolicy;
import io.kafkalab.testkit.JvmProcess;
import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** Share groups on a real broker: each test has its own topic (one partition) and share group. */
@KafkaTest(brokers = 1)
class ShareConsumerRunnerIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The groups' record lock duration: a record a dead member held is delivered again after it. */
    private static final Duration LOCK = Duration.ofSeconds(1);

    private static String topic(KafkaCluster cluster, String prefix) {
        String topic = KafkaTestUtils.uniqueTopic(prefix);
        cluster.createTopic(topic, 1, 1);
        return topic;
    }

    /** A new share group that starts at the earliest offset and locks records for {@link #LOCK}. */
    private static String group(KafkaCluster cluster, String prefix) {
        String group = KafkaTestUtils.uniqueGroup(prefix);
        ShareGroups.autoOffsetReset(cluster.admin(), group, "earliest", WAIT);
        ShareGroups.set(cluster.admin(), group, Map.of(ShareGroups.RECORD_LOCK_DURATION_MS,
                String.valueOf(LOCK.toMillis())), WAIT);
        return group;
    }

    private static Map<String, Object> config(KafkaCluster cluster, String group) {
        Map<String, Object> config = new HashMap<>(cluster.adminConfig());
        config.put("group.id", group);
        // at most 5 records per poll and per acquisition, so one member cannot take all of a partition at once
        config.put("max.poll.records", 5);
        config.put("share.acquire.mode", "record_limit");
        return config;
    }

    private static void produce(KafkaCluster cluster, String topic, String... values) {
        KafkaTestUtils.produce(cluster, topic, values.length, i -> new ProducerRecord<>(topic, "k", values[i]));
    }

    @Test
    void twoMembersOfAShareGroupBothReceiveRecordsOfOnePartition(KafkaCluster cluster) throws Exception {
        String topic = topic(cluster, "share-two");
        String group = group(cluster, "share-two");
        int total = 50;
        KafkaTestUtils.produce(cluster, topic, total, i -> new ProducerRecord<>(topic, "k", "m" + i));
        Map<String, List<String>> got = new ConcurrentHashMap<>(Map.of("a", new CopyOnWriteArrayList<>(),
                "b", new CopyOnWriteArrayList<>()));
        Map<String, CountDownLatch> first = Map.of("a", new CountDownLatch(1), "b", new CountDownLatch(1));
        // each member, on its first record, waits (bounded) until the other has one too: a partition that only one
        // member may read (a classic group) leaves the other with nothing, and the wait then fails the test
        Map<String, Boolean> sawOther = new ConcurrentHashMap<>();
        List<ShareConsumerRunner<String, String>> runners = List.of("a", "b").stream().map(name -> ShareConsumerRunner
                .builder(config(cluster, group), new StringDeserializer(), new StringDeserializer())
                .topics(topic).name(group + "-" + name)
                .records(r -> {
                    got.get(name).add(r.value());
                    first.get(name).countDown();
                    if (got.get(name).size() == 1) {
                        sawOther.put(name, first.get(name.equals("a") ? "b" : "a").await(20, TimeUnit.SECONDS));
                    }
                }).start()).toList();
        try {
            await().atMost(WAIT).until(() -> got.values().stream().mapToInt(List::size).sum() >= total);
        } finally {
            runners.forEach(r -> r.close(WAIT));
        }
        assertThat(sawOther).containsEntry("a", true).containsEntry("b", true);
        assertThat(got.get("a")).isNotEmpty();
        assertThat(got.get("b")).isNotEmpty();
        Set<String> all = new java.util.HashSet<>(got.get("a"));
        all.addAll(got.get("b"));
        assertThat(all).hasSize(total);
        assertThat(runners.stream().mapToLong(r -> r.metrics().accepted()).sum()).isGreaterThanOrEqualTo(total);
    }

    @Test
    void releaseRedeliversTheRecordWithAHigherDeliveryCount(KafkaCluster cluster) {
        String topic = topic(cluster, "share-release");
        String group = group(cluster, "share-release");
        // tag::release[]
        produce(cluster, topic, "flaky", "fine");
        List<String> deliveries = new CopyOnWriteArrayList<>();
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        ErrorPolicy retry = ErrorPolicy.retry(5, Duration.ZERO, Duration.ZERO, ErrorPolicy.stop());
        try (ShareConsumerRunner<String, String> runner = ShareConsumerRunner
                .builder(config(cluster, group), new StringDeserializer(), new StringDeserializer())
                .topics(topic)
                .errorPolicy(failure -> {
                    attempts.add(failure.attempt());
                    return retry.onFailure(failure);
                })
                .records(r -> {
                    short delivery = r.deliveryCount().orElseThrow();
                    deliveries.add(r.value() + "#" + delivery);
                    if (r.value().equals("flaky") && delivery < 3) {
                        throw new IllegalStateException("fails on delivery " + delivery);
                    }
                }).start()) {
            await().atMost(WAIT).until(() -> runner.metrics().accepted() == 2);
            assertThat(deliveries).filteredOn(d -> d.startsWith("flaky")).containsExactly("flaky#1", "flaky#2",
                    "flaky#3");
            assertThat(deliveries).contains("fine#1");
            assertThat(attempts).containsExactly(1, 2);
            assertThat(runner.metrics().released()).isEqualTo(2);
            assertThat(runner.metrics().rejected()).isZero();
        }
        // end::release[]
    }

    @Test
    void rejectedRecordIsNeverDeliveredAgain(KafkaCluster cluster) {
        String topic = topic(cluster, "share-reject");
        String group = group(cluster, "share-reject");
        produce(cluster, topic, "poison");
        List<String> deliveries = new CopyOnWriteArrayList<>();
        try (ShareConsumerRunner<String, String> runner = ShareConsumerRunner
                .builder(config(cluster, group), new StringDeserializer(), new StringDeserializer())
                .topics(topic)
                .errorPolicy(ErrorPolicy.skip())
                .records(r -> {
                    deliveries.add(r.value() + "#" + r.deliveryCount().orElseThrow());
                    if (r.value().equals("poison")) {
                        throw new IllegalStateException("cannot handle it");
                    }
                }).start()) {
            await().atMost(WAIT).until(() -> runner.metrics().rejected() == 1);
            // three lock durations: a released record (or one whose lock expired) would be back by then
            await().during(LOCK.multipliedBy(3)).atMost(LOCK.multipliedBy(3).plus(WAIT))
                    .until(() -> deliveries.size() == 1);
            produce(cluster, topic, "next-1", "next-2");
            await().atMost(WAIT).until(() -> runner.metrics().accepted() == 2);
            assertThat(deliveries).containsExactly("poison#1", "next-1#1", "next-2#1");
            assertThat(runner.metrics().released()).isZero();
        }
    }

    @Test
    void recordsAKilledMemberHeldAreDeliveredToTheOtherMember(KafkaCluster cluster) {
        String topic = topic(cluster, "share-kill");
        String group = group(cluster, "share-kill");
        int total = 20;
        KafkaTestUtils.produce(cluster, topic, total, i -> new ProducerRecord<>(topic, "k", "m" + i));
        long held;
        try (JvmProcess child = JvmProcess.start(List.of("-Xmx256m", "-Dlog4j2.configurationFile=log4j2-child.xml"),
                ChildShareConsumerMain.class, cluster.bootstrapServers(), topic, group)) {
            String line = child.awaitLine(l -> l.startsWith("holding "), WAIT);
            held = Long.parseLong(line.substring("holding ".length()));
            child.kill(); // SIGKILL while it holds its poll unacknowledged: no close, no release, no leave
        }
        Map<Long, Short> delivered = new ConcurrentHashMap<>();
        try (ShareConsumerRunner<String, String> runner = ShareConsumerRunner
                .builder(config(cluster, group), new StringDeserializer(), new StringDeserializer())
                .topics(topic)
                .records(r -> delivered.merge(r.offset(), r.deliveryCount().orElseThrow(),
                        (a, b) -> (short) Math.max(a, b)))
                .start()) {
            await().atMost(WAIT).until(() -> delivered.size() == total);
        }
        assertThat(delivered.get(held)).as("the record the killed member held comes again, delivered a second time")
                .isEqualTo((short) 2);
        assertThat(delivered.values().stream().filter(c -> c == 1).count()).as("records nobody had held yet")
                .isPositive();
    }
}
