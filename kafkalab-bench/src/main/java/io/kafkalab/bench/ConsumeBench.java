package io.kafkalab.bench;

import io.kafkalab.bench.Variants.Measurement;
import io.kafkalab.consumer.CommitMode;
import io.kafkalab.consumer.CommitPolicy;
import io.kafkalab.consumer.ConsumerRunner;
import io.kafkalab.testkit.KafkaCluster;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Comparison 2, consume: the records of one topic (3 partitions, replication factor 2, 100-byte values) read
 * from the beginning by a new group each time, timed from the first record received to the last one processed
 * (group join excluded, the same for every variant). The baseline is a raw poll loop that commits
 * asynchronously after each poll; the runners run under each commit policy. Variants that commit every few
 * records read {@code slowRecords} only: at about half a millisecond per synchronous commit they would take
 * minutes on the whole topic, and their rate is what the table compares.
 */
final class ConsumeBench {

    private static final AtomicInteger GROUPS = new AtomicInteger();
    private static final int BATCH = 500; // max.poll.records' default: a batch is what one poll returns

    private ConsumeBench() {
    }

    private enum Shape { SINGLE, BATCH }

    static List<Row> run(KafkaCluster cluster, BenchSettings s, Variants.Progress progress) throws Exception {
        String topic = Payloads.topic(cluster, "consume");
        Measurement filled = ProduceBench.rawPreset(cluster, s.records(), topic);
        progress.line(String.format(java.util.Locale.ROOT, "  consume: %,d records in %s", filled.records(), topic));
        int all = s.records();
        int slow = s.slowRecords();
        Variants v = new Variants("consume")
                .add("raw commitAsync/poll", "KafkaConsumer poll loop, commitAsync() after each poll",
                        r -> raw(cluster, topic, n(r, all), 0))
                .add("raw commitSync/10", "KafkaConsumer, commitSync() every 10 records (the lab's batch consumer)",
                        r -> raw(cluster, topic, n(r, slow), 10));
        for (Shape shape : Shape.values()) {
            String prefix = shape == Shape.BATCH ? "batch " : "single ";
            v.add(prefix + "afterEachPoll async", "runner, CommitPolicy.afterEachPoll(), CommitMode.ASYNC",
                    r -> runner(cluster, topic, n(r, all), shape, CommitPolicy.afterEachPoll(), CommitMode.ASYNC));
            v.add(prefix + "afterEachPoll sync", "runner, CommitPolicy.afterEachPoll(), CommitMode.SYNC",
                    r -> runner(cluster, topic, n(r, all), shape, CommitPolicy.afterEachPoll(), CommitMode.SYNC));
            v.add(prefix + "interval(1s)", "runner, CommitPolicy.interval(1s), sync",
                    r -> runner(cluster, topic, n(r, all), shape, CommitPolicy.interval(Duration.ofSeconds(1)),
                            CommitMode.SYNC));
            v.add(prefix + "kafkaAutoCommit(5s)", "runner, Kafka's auto-commit every 5 s",
                    r -> runner(cluster, topic, n(r, all), shape, CommitPolicy.kafkaAutoCommit(Duration.ofSeconds(5)),
                            CommitMode.SYNC));
            v.add(prefix + "manual", shape == Shape.BATCH ? "runner, acknowledge() after each batch"
                            : "runner, acknowledge() every 1000 records",
                    r -> runner(cluster, topic, n(r, all), shape, CommitPolicy.manual(), CommitMode.SYNC));
            v.add(prefix + "everyRecords(10)", "runner, CommitPolicy.everyRecords(10), sync (the lab's policy)",
                    r -> runner(cluster, topic, n(r, slow), shape, CommitPolicy.everyRecords(10), CommitMode.SYNC));
        }
        v.add("single afterEachRecord", "runner, CommitPolicy.afterEachRecord(), sync",
                r -> runner(cluster, topic, n(r, slow), Shape.SINGLE, CommitPolicy.afterEachRecord(),
                        CommitMode.SYNC));
        return v.run(s.repeats(), s.warmUpRounds(), progress);
    }

    private static int n(int repeat, int records) {
        return Variants.records(repeat, records, 100_000);
    }

    private static Map<String, Object> config(KafkaCluster cluster) {
        Map<String, Object> config = new HashMap<>(cluster.adminConfig());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-consume-" + GROUPS.incrementAndGet() + "-"
                + Long.toHexString(System.nanoTime()));
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return config;
    }

    /** The raw loop: {@code commitEvery} 0 commits asynchronously after each poll, n > 0 synchronously every n. */
    private static Measurement raw(KafkaCluster cluster, String topic, int records, int commitEvery) {
        long count = 0;
        long bytes = 0;
        long first = 0;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(config(cluster), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            while (count < records) {
                ConsumerRecords<byte[], byte[]> polled = c.poll(Duration.ofMillis(100));
                if (polled.isEmpty()) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("raw consumer: " + count + " of " + records + " in 5 minutes");
                    }
                    continue;
                }
                if (first == 0) {
                    first = System.nanoTime();
                }
                for (ConsumerRecord<byte[], byte[]> r : polled) {
                    count++;
                    bytes += r.value().length;
                    if (commitEvery > 0 && count % commitEvery == 0) {
                        c.commitSync(Map.of(new TopicPartition(r.topic(), r.partition()),
                                new OffsetAndMetadata(r.offset() + 1)));
                    }
                    if (count == records) {
                        break;
                    }
                }
                if (commitEvery == 0) {
                    c.commitAsync();
                }
            }
            double seconds = (System.nanoTime() - first) / 1e9;
            return Measurement.of(count, bytes, seconds);
        }
    }

    private static Measurement runner(KafkaCluster cluster, String topic, int records, Shape shape,
                                      CommitPolicy policy, CommitMode mode) throws InterruptedException {
        Counter counter = new Counter(records);
        ConsumerRunner.Builder<byte[], byte[]> builder = ConsumerRunner.builder(config(cluster),
                        new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .topics(topic).commitPolicy(policy).commitMode(mode).name("bench-" + shape);
        boolean manual = policy.commitsOnlyAcknowledged();
        ConsumerRunner<byte[], byte[]> runner;
        if (shape == Shape.BATCH) {
            runner = manual ? builder.acknowledgingBatches(BATCH, (batch, ack) -> {
                batch.forEach(counter::add);
                ack.acknowledge();
            }) : builder.batches(BATCH, batch -> batch.forEach(counter::add));
        } else {
            runner = manual ? builder.acknowledgingRecords((r, ack) -> {
                if (counter.add(r) % 1000 == 0) {
                    ack.acknowledge();
                }
            }) : builder.records(counter::add);
        }
        try (runner) {
            runner.start();
            if (!counter.done.await(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException("runner " + shape + " " + policy + ": " + counter.count + " of "
                        + records + " in 5 minutes");
            }
        }
        return Measurement.of(records, counter.bytesAtEnd, (counter.end - counter.first) / 1e9);
    }

    /** Counts on the runner's thread; the fields are read after the latch. */
    private static final class Counter {
        final int records;
        final CountDownLatch done = new CountDownLatch(1);
        long count;
        long bytes;
        volatile long first;
        volatile long end;
        volatile long bytesAtEnd;

        Counter(int records) {
            this.records = records;
        }

        long add(ConsumerRecord<byte[], byte[]> r) {
            if (count == 0) {
                first = System.nanoTime();
            }
            count++;
            bytes += r.value().length;
            if (count == records) {
                end = System.nanoTime();
                bytesAtEnd = bytes;
                done.countDown();
            }
            return count;
        }
    }
}
