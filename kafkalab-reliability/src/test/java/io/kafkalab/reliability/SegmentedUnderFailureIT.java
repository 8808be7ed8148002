package io.kafkalab.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkalab.consumer.ConsumerRunner;
import io.kafkalab.producer.DeliveryGuarantee;
import io.kafkalab.producer.Producers;
import io.kafkalab.segment.SegmentedSendResult;
import io.kafkalab.segment.SegmentingProducer;
import io.kafkalab.segment.Segments;
import io.kafkalab.testkit.JvmProcess;
import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Segmented messages under a consumer crash and a broker restart: every message whose segments were all
 * acknowledged arrives complete and exactly as sent; no corrupt message is ever delivered.
 */
@KafkaTest(brokers = 3)
class SegmentedUnderFailureIT {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentedUnderFailureIT.class);

    static final int MESSAGES = 120;
    static final int MAX_BYTES = 200_000;
    static final int SEGMENT_BYTES = 16 * 1024;
    /** The child is killed once it has delivered this many messages. */
    static final int KILL_AFTER = 20;

    @Test
    void everyCompleteMessageArrivesIntactThroughAConsumerKillAndABrokerRestart(KafkaCluster cluster) throws Exception {
        long begin = System.nanoTime();
        long[] sums = new long[5]; // messages, acked, lost, duplicates, corrupt
        int rounds = Soak.rounds(round -> {
            long[] r = oneRound(cluster, round);
            for (int i = 0; i < sums.length; i++) {
                sums[i] += r[i];
            }
        });
        ReliabilityReport.add(new ReliabilityReport.Row(5, "segmented: " + rounds + " x " + MESSAGES + " messages of up to "
                + MAX_BYTES / 1000 + " KB in " + SEGMENT_BYTES / 1024 + " KB segments, reassembling runner"
                + " (afterEachRecord) killed mid-stream + a leader restart", sums[0], sums[1], sums[2], sums[3],
                "<= 1 per crash; corrupt delivered: " + sums[4], Duration.ofNanos(System.nanoTime() - begin)));
    }

    /** @return messages, acked, lost, duplicates, corrupt */
    private long[] oneRound(KafkaCluster cluster, int round) throws Exception {
        String topic = Faults.replicatedTopic(cluster, "segmented", 3);
        String group = KafkaTestUtils.uniqueGroup("segmented");
        Map<String, String> expected = new ConcurrentHashMap<>(); // message id -> "crc length" of acked messages
        List<String> delivered = new CopyOnWriteArrayList<>();
        Random random = new Random(round);
        try (Producer<String, byte[]> producer = Producers.create(DeliveryGuarantee.AT_LEAST_ONCE,
                cluster.adminConfig(), new StringSerializer(), new ByteArraySerializer())) {
            SegmentingProducer<String> segmenting = new SegmentingProducer<>(producer, SEGMENT_BYTES);
            // the first consumer is killed while the first half streams in: some messages are half read
            CompletableFuture<Void> firstHalf;
            try (JvmProcess child = JvmProcess.start(List.of("-Xmx256m", "-Dlog4j2.configurationFile=log4j2-child.xml"),
                    ChildSegmentedMain.class, cluster.bootstrapServers(), topic, group)) {
                firstHalf = send(segmenting, topic, random, MESSAGES / 2, expected);
                child.awaitLine(l -> child.lines().stream().filter(x -> x.startsWith("delivered ")).count() >= KILL_AFTER,
                        Faults.WAIT);
                child.kill();
                child.lines().stream().filter(l -> l.startsWith("delivered ")).forEach(delivered::add);
            }
            int beforeKill = delivered.size();
            awaitSent(firstHalf);

            // restarted in the same group; a partition leader is restarted under it while the second half is sent
            ConsumerRunner<String, byte[]> restarted = ChildSegmentedMain.runner(cluster.bootstrapServers(), topic,
                    group, delivered::add).start();
            try {
                int leader = Faults.leaderOf(cluster, topic, 0);
                cluster.stopBroker(leader);
                awaitSent(send(segmenting, topic, random, MESSAGES - MESSAGES / 2, expected));
                Faults.restart(cluster, leader, topic);
                await().atMost(Faults.WAIT).until(() -> delivered.stream().map(l -> l.split(" ")[1]).distinct()
                        .filter(expected::containsKey).count() == expected.size());
            } finally {
                restarted.close(Faults.WAIT);
            }
            LOG.info("segmented round: {} acked, {} delivered before the kill, {} after; runner skipped {}, {} already"
                            + " delivered by the watermark", expected.size(), beforeKill, delivered.size() - beforeKill,
                    restarted.metrics().skipped(), restarted.metrics().alreadyDelivered());
        }
        Map<String, Integer> counts = new HashMap<>();
        long corrupt = 0;
        for (String line : delivered) {
            String[] d = line.split(" ");
            counts.merge(d[1], 1, Integer::sum);
            if (!(d[2] + " " + d[3]).equals(expected.get(d[1]))) {
                corrupt++;
            }
        }
        long lost = expected.keySet().stream().filter(id -> !counts.containsKey(id)).count();
        long duplicates = counts.values().stream().mapToLong(n -> n - 1).sum();
        // a graceful leader restart with two in-sync replicas left: every segmented send must be acknowledged,
        // else an empty expected set would pass every check below
        assertThat(expected).as("acknowledged segmented sends").hasSize(MESSAGES);
        assertThat(corrupt).as("delivered messages that differ from what was sent").isZero();
        assertThat(lost).as("acknowledged messages never delivered").isZero();
        assertThat(duplicates).as("duplicates; afterEachRecord re-delivers at most the message in the handler")
                .isLessThanOrEqualTo(1);
        return new long[] {MESSAGES, expected.size(), lost, duplicates, corrupt};
    }

    /**
     * Sends {@code count} messages of random size and content; records the acknowledged ones.
     *
     * @return completes when every send has an outcome
     */
    private static CompletableFuture<Void> send(SegmentingProducer<String> segmenting, String topic, Random random,
                                                int count, Map<String, String> expected) {
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            double u = random.nextDouble();
            byte[] data = new byte[1 + (int) (MAX_BYTES * u * u)];
            random.nextBytes(data);
            String key = "user-" + random.nextInt(10);
            String digest = Segments.crc32c(data) + " " + data.length;
            sends.add(segmenting.send(topic, key, data).handle((SegmentedSendResult r, Throwable e) -> {
                if (e == null) {
                    expected.put(r.messageId().toString(), digest);
                } else {
                    LOG.warn("segmented send failed (reported, not counted as lost): {}", e.toString());
                }
                return null;
            }));
        }
        return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new));
    }

    private static void awaitSent(CompletableFuture<Void> sends) throws Exception {
        sends.get(Faults.WAIT.toSeconds(), TimeUnit.SECONDS);
    }
}
