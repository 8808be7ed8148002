package io.kafkalab.bench;

import io.confluent.parallelconsumer.ParallelConsumerOptions;
import io.confluent.parallelconsumer.ParallelConsumerOptions.ProcessingOrder;
import io.confluent.parallelconsumer.ParallelStreamProcessor;
import io.kafkalab.bench.Variants.Measurement;
import io.kafkalab.testkit.KafkaCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Comparison 6, parallel: the workload of parallel-consumer's published table ({@link ParallelWorkload}: one
 * partition, handler time uniform in 0-5 ms and the same per offset in every run, at most 100 records in flight)
 * under each of its orderings, through Confluent's parallel-consumer 0.5.3.2 (the baseline of each row) and
 * through kafkalab's {@code ConsumerRunner} with the same ordering and concurrency, in the same run. A new group
 * each time; timed from the first record started to the last of them finished (group join and close excluded,
 * the same for both). Each row carries the workload's physical bound and parallel-consumer's published time.
 *
 * <p>parallel-consumer runs on this project's kafka-clients 4.4.0 (its own 3.x is excluded in the pom) once its
 * options skip the reflective check that auto-commit is off
 * ({@code ignoreReflectiveAccessExceptionsForAutoCommitDisabledCheck}): it is off, this bench sets it so. Its
 * published table ran with 16 threads; 0.5.3.2 has one knob, {@code maxConcurrency}, which is both the records in
 * flight and its worker threads: 100 here, as the runner's {@code concurrency}.
 */
final class ParallelBench {

    /** Records of the uncounted warm-up run of each variant. */
    static final int WARM_UP_RECORDS = 1_000;

    private static final AtomicInteger GROUPS = new AtomicInteger();

    private ParallelBench() {
    }

    /** Starts one library on a topic; closing what it returns stops it. */
    @FunctionalInterface
    private interface Library {
        AutoCloseable start(Map<String, Object> config, String topic, ParallelWorkload workload, ParallelRun run);
    }

    static List<Row> run(KafkaCluster cluster, BenchSettings s, Variants.Progress progress) throws Exception {
        int records = s.parallelRecords();
        Map<Integer, String> topics = new LinkedHashMap<>();
        for (ParallelWorkload w : ParallelWorkload.PUBLISHED) {
            if (!topics.containsKey(w.keys())) {
                String topic = Payloads.topic(cluster, "parallel-" + w.keys() + "-keys", 1);
                ProduceBench.rawPreset(cluster, records, topic,
                        i -> w.key(i).getBytes(StandardCharsets.UTF_8));
                topics.put(w.keys(), topic);
            }
        }
        progress.line(String.format(Locale.ROOT, "  parallel: %,d records in each of %s (1 partition; handler"
                + " time uniform in 0-5 ms by offset, %.2f s in all; concurrency %d)", records, topics.values(),
                ParallelWorkload.totalNanos(records) / 1e9, ParallelWorkload.CONCURRENCY));
        List<Row> rows = new ArrayList<>();
        for (ParallelWorkload w : ParallelWorkload.PUBLISHED) {
            String topic = topics.get(w.keys());
            double bound = w.boundSeconds(records);
            progress.line(String.format(Locale.ROOT, "  %s: bound %.3f s, published %.3f s", w.label(), bound,
                    w.published()));
            Variants v = new Variants("parallel " + w.label())
                    .add("parallel-consumer", "parallel-consumer 0.5.3.2, ProcessingOrder." + w.ordering()
                                    + ", maxConcurrency " + ParallelWorkload.CONCURRENCY
                                    + ", its default commit mode (PERIODIC_CONSUMER_ASYNCHRONOUS)", bound, w.published(),
                            r -> timed(cluster, topic, w, n(r, records), "parallel-consumer",
                                    ParallelBench::parallelConsumer));
            v.add("kafkalab", KafkalabParallel.NOTE + w.ordering(), bound, Double.NaN,
                    r -> timed(cluster, topic, w, n(r, records), "kafkalab", KafkalabParallel::start));
            rows.addAll(v.run(s.repeats(), s.warmUpRounds(), progress));
        }
        return rows;
    }

    private static int n(int repeat, int records) {
        return Variants.records(repeat, records, WARM_UP_RECORDS);
    }

    /** One run of one library over the first {@code records} offsets of {@code topic}, with a new group. */
    private static Measurement timed(KafkaCluster cluster, String topic, ParallelWorkload workload, int records,
                                     String who, Library library) throws Exception {
        Map<String, Object> config = new HashMap<>(cluster.adminConfig());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-parallel-" + GROUPS.incrementAndGet() + "-"
                + Long.toHexString(System.nanoTime()));
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        ParallelRun run = new ParallelRun(workload, records);
        // generous: a run slower than three times its bound plus a minute is broken, not slow
        Duration timeout = Duration.ofSeconds(60 + (long) (3 * workload.boundSeconds(records)));
        Measurement m;
        try (AutoCloseable running = library.start(config, topic, workload, run)) {
            m = run.await(who, timeout);
        }
        return new Measurement(m.records(), (long) m.records() * BenchSettings.VALUE_BYTES, m.seconds(),
                new long[0], -1, -1, -1);
    }

    /** parallel-consumer with the workload's ordering and concurrency, its other options at their defaults. */
    private static AutoCloseable parallelConsumer(Map<String, Object> config, String topic, ParallelWorkload workload,
                                                  ParallelRun run) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
                new ByteArrayDeserializer());
        ParallelStreamProcessor<String, byte[]> pc = ParallelStreamProcessor.createEosStreamProcessor(
                ParallelConsumerOptions.<String, byte[]>builder()
                        .consumer(consumer)
                        .ordering(ProcessingOrder.valueOf(workload.ordering().name()))
                        .maxConcurrency(ParallelWorkload.CONCURRENCY)
                        // auto-commit is off (above); on kafka-clients 4.x its reflective check of that fails
                        .ignoreReflectiveAccessExceptionsForAutoCommitDisabledCheck(true)
                        .build());
        pc.subscribe(List.of(topic));
        pc.poll(context -> {
            ConsumerRecord<String, byte[]> r = context.getSingleConsumerRecord();
            run.handle(r.key(), r.offset());
        });
        // the records beyond the counted ones (a warm-up reads fewer) need not be processed
        return () -> pc.closeDontDrainFirst(Duration.ofSeconds(30));
    }
}
