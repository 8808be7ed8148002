package io.kafkalab.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkalab.testkit.JvmProcess;
import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly-once consume-process-produce against real brokers: a child JVM copying 2 000 inputs to two outputs each is
 * SIGKILLed in the middle of a transaction (after some transactions committed, with outputs of the open one on the
 * broker), restarted, and the output topic read {@code read_committed} holds each input's two outputs exactly once.
 * The control runs the same child and the same kill with a plain runner and an at-least-once producer: the outputs
 * of the records handled after the last commit are there twice, so the first test would fail without the
 * transaction.
 */
@KafkaTest(brokers = 3)
class ExactlyOnceIT {

    private static final Logger LOG = LoggerFactory.getLogger(ExactlyOnceIT.class);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int INPUTS = 2000;
    /** The handler call the first child blocks in: after several transactions of 200 records. */
    private static final int BLOCK_AT = 1111;

    private final List<JvmProcess> children = new ArrayList<>();

    @AfterEach
    void killChildren() {
        children.forEach(JvmProcess::close);
    }

    @Test
    void aRunnerKilledMidTransactionAndRestartedWritesEachInputsOutputsExactlyOnce(KafkaCluster cluster) {
        Map<String, Long> outputs = killAndRestart(cluster, "tx");
        assertThat(outputs).as("two outputs for each of the %d inputs", INPUTS).hasSize(2 * INPUTS);
        assertThat(outputs.values().stream().filter(n -> n > 1).count()).as("duplicates").isZero();
    }

    @Test
    void withoutTheTransactionTheSameKillDuplicatesTheOutputsOfTheRecordsAfterTheLastCommit(KafkaCluster cluster) {
        Map<String, Long> outputs = killAndRestart(cluster, "plain");
        assertThat(outputs).as("nothing lost: at least once").hasSize(2 * INPUTS);
        assertThat(outputs.values().stream().filter(n -> n > 1).count())
                .as("the outputs of the records handled after the last commit, written again after the restart")
                .isPositive();
    }

    /** @return each output value read {@code read_committed}, with the number of times it is there */
    private Map<String, Long> killAndRestart(KafkaCluster cluster, String mode) {
        long started = System.nanoTime();
        String in = KafkaTestUtils.uniqueTopic("eos-in");
        String out = KafkaTestUtils.uniqueTopic("eos-out");
        String group = KafkaTestUtils.uniqueGroup("eos");
        String transactionalId = KafkaTestUtils.uniqueName("eos-tx");
        cluster.createTopic(in, 3, 3);
        cluster.createTopic(out, 3, 3);
        KafkaTestUtils.produce(cluster, in, INPUTS, i -> new ProducerRecord<>(in, "k" + i % 30, "m" + i));

        JvmProcess first = startChild(cluster, in, out, group, transactionalId, mode, BLOCK_AT);
        first.awaitLine("blocked"::equals, WAIT);
        long committedBefore = committed(cluster, group);
        assertThat(committedBefore).as("some transactions committed before the kill").isPositive()
                .isLessThan(BLOCK_AT);
        first.kill(); // SIGKILL in the handler: the open transaction is neither committed nor aborted
        LOG.info("{}: killed after {} inputs committed, {} handled", mode, committedBefore, BLOCK_AT);

        JvmProcess second = startChild(cluster, in, out, group, transactionalId, mode, 0);
        await().atMost(WAIT).until(() -> committed(cluster, group) == INPUTS);
        second.kill();
        List<String> values = readCommitted(cluster, out);
        Map<String, Long> counts = values.stream().collect(Collectors.groupingBy(Function.identity(), TreeMap::new,
                Collectors.counting()));
        LOG.info("{}: {} outputs read read_committed, {} distinct, {} duplicated; {} ms", mode, values.size(),
                counts.size(), counts.values().stream().filter(n -> n > 1).count(),
                (System.nanoTime() - started) / 1_000_000);
        return counts;
    }

    private static long committed(KafkaCluster cluster, String group) {
        return KafkaTestUtils.committedOffsets(cluster, group).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Reads the whole topic {@code read_committed}: up to the last stable offset of every partition. */
    private static List<String> readCommitted(KafkaCluster cluster, String topic) {
        Map<String, Object> config = new HashMap<>(cluster.adminConfig());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(config, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = c.partitionsFor(topic, WAIT).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            // with read_committed, the end offsets are the last stable offsets: no open transaction below them
            Map<TopicPartition, Long> end = c.endOffsets(partitions, WAIT);
            await().atMost(WAIT).until(() -> {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
                return partitions.stream().allMatch(tp -> c.position(tp) >= end.get(tp));
            });
        }
        return values;
    }

    private JvmProcess startChild(KafkaCluster cluster, String in, String out, String group, String transactionalId,
                                  String mode, int blockAt) {
        JvmProcess p = JvmProcess.start(List.of("-Xmx256m", "-Dlog4j2.configurationFile=log4j2-child.xml"),
                ChildExactlyOnceMain.class, cluster.bootstrapServers(), in, out, group, transactionalId, mode,
                String.valueOf(blockAt));
        children.add(p);
        return p;
    }
}
