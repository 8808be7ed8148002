package io.kafkalab.bench;

import io.kafkalab.bench.Variants.Measurement;
import io.kafkalab.consumer.CommitMode;
import io.kafkalab.consumer.CommitPolicy;
import io.kafkalab.consumer.ConsumerRunner;
import io.kafkalab.consumer.ErrorPolicy;
import io.kafkalab.consumer.Ordering;
import io.kafkalab.testkit.KafkaCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Comparison {@code retry} (issue 18): 1 % of the records (keys {@code k<i>} with {@code i % 100 == 50}) fail twice,
 * then succeed, with a backoff of {@code retryBackoffMillis} (1 s in full runs). The figure is the rate of the
 * <em>other</em> records: from the first record handled to the last other record handled. Baseline: the same
 * runner (concurrency 4, {@link Ordering#KEY}) without failures; then the runner's non-blocking retries (the
 * failed record's key waits, the rest goes on); then blocking retries: a sequential runner whose handler retries in
 * place with a sleep (what a runner without non-blocking retries does: the poll thread waits, every partition
 * stalls), on a twentieth of the records because each failure costs two backoffs of the only thread.
 */
final class RetryBench {

    /** One record in this many fails. */
    static final int FAIL_EVERY = 100;
    /** How often a failing record fails before it succeeds. */
    static final int FAILURES = 2;
    private static final int CONCURRENCY = 4;
    /**
     * Runs per counted repeat of the two fast variants: one run of 20 000 records takes about 0.1 s here, where a
     * pause of the collector or the brokers' flush moves a single figure by a third; a repeat's rate is its runs'
     * records over their summed time.
     */
    static final int ROUNDS = 3;
    /** Full-size runs of each fast variant before the counted ones: the first few runs are the JIT's, not ours. */
    static final int WARM_UP_ROUNDS = 5;
    private static final AtomicInteger GROUPS = new AtomicInteger();

    private RetryBench() {
    }

    private enum Mode { NO_FAILURES, NON_BLOCKING, BLOCKING }

    static List<Row> run(KafkaCluster cluster, BenchSettings s, Variants.Progress progress) throws Exception {
        String topic = Payloads.topic(cluster, "retry");
        int records = s.retryRecords();
        ProduceBench.rawPreset(cluster, records, topic, i -> ("k" + i).getBytes(StandardCharsets.UTF_8));
        Duration backoff = Duration.ofMillis(s.retryBackoffMillis());
        progress.line(String.format(java.util.Locale.ROOT, "  retry: %,d records in %s, 1 in %d fails %d times,"
                + " backoff %d ms", records, topic, FAIL_EVERY, FAILURES, backoff.toMillis()));
        String runner = "runner, concurrency " + CONCURRENCY + ", ordering KEY, ";
        Variants v = new Variants("retry")
                .add("no failures", runner + "no record fails; " + ROUNDS + " runs per repeat",
                        r -> rounds(cluster, topic, records, Mode.NO_FAILURES, backoff, r < 0 ? WARM_UP_ROUNDS : ROUNDS))
                .add("non-blocking retries", runner + "1 % fail twice: ErrorPolicy.retry, the key waits; " + ROUNDS
                        + " runs per repeat", r -> rounds(cluster, topic, records, Mode.NON_BLOCKING, backoff,
                        r < 0 ? WARM_UP_ROUNDS : ROUNDS))
                // its warm-up is one failing record: each failure costs the only thread two backoffs
                .add("blocking retries", "sequential runner, 1 % fail twice: the handler retries in place with a"
                        + " sleep; a twentieth of the records", r -> measure(cluster, topic, r < 0 ? FAIL_EVERY
                        : Math.max(FAIL_EVERY * 2, records / 20), Mode.BLOCKING, backoff));
        return v.run(s.repeats(), s.warmUpRounds(), progress);
    }

    /** {@code rounds} runs of {@code records} each: their records over their summed time. */
    private static Measurement rounds(KafkaCluster cluster, String topic, int records, Mode mode, Duration backoff,
                                      int rounds) throws InterruptedException {
        long others = 0;
        long bytes = 0;
        double seconds = 0;
        for (int i = 0; i < rounds; i++) {
            Measurement m = measure(cluster, topic, records, mode, backoff);
            others += m.records();
            bytes += m.bytes();
            seconds += m.seconds();
        }
        return Measurement.of(others, bytes, seconds);
    }

    static boolean failing(ConsumerRecord<byte[], byte[]> r) {
        String key = new String(r.key(), StandardCharsets.UTF_8);
        return Integer.parseInt(key.substring(1)) % FAIL_EVERY == FAIL_EVERY / 2;
    }

    /** Reads the topic with a new group until {@code records}' share of other records was handled. */
    private static Measurement measure(KafkaCluster cluster, String topic, int records, Mode mode, Duration backoff)
            throws InterruptedException {
        long others = records - records / FAIL_EVERY;
        Map<String, Object> config = new HashMap<>(cluster.adminConfig());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-retry-" + GROUPS.incrementAndGet() + "-"
                + Long.toHexString(System.nanoTime()));
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        AtomicLong first = new AtomicLong();
        AtomicLong end = new AtomicLong();
        AtomicLong handled = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        Map<Long, AtomicInteger> attempts = new ConcurrentHashMap<>();
        ConsumerRunner<byte[], byte[]> runner = ConsumerRunner.builder(config, new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())
                .topics(topic).concurrency(mode == Mode.BLOCKING ? 1 : CONCURRENCY).ordering(Ordering.KEY)
                .commitPolicy(CommitPolicy.afterEachPoll()).commitMode(CommitMode.ASYNC).name("bench-retry-" + mode)
                .errorPolicy(ErrorPolicy.retry(FAILURES + 1, backoff, backoff, ErrorPolicy.stop()))
                .records(r -> {
                    first.compareAndSet(0, System.nanoTime());
                    if (mode != Mode.NO_FAILURES && failing(r)) {
                        if (mode == Mode.BLOCKING) {
                            for (int i = 0; i < FAILURES; i++) {
                                Thread.sleep(backoff.toMillis()); // failed: wait in place, then try again
                            }
                        } else if (attempts.computeIfAbsent(r.partition() * (1L << 40) + r.offset(),
                                k -> new AtomicInteger()).incrementAndGet() <= FAILURES) {
                            throw new IllegalStateException("fails, for the benchmark");
                        }
                        return;
                    }
                    bytes.addAndGet(r.value().length);
                    if (handled.incrementAndGet() == others) {
                        end.set(System.nanoTime());
                        done.countDown();
                    }
                });
        try (runner) {
            runner.start();
            if (!done.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("retry " + mode + ": " + handled.get() + " of " + others
                        + " in 10 minutes");
            }
        }
        return Measurement.of(others, bytes.get(), (end.get() - first.get()) / 1e9);
    }
}
