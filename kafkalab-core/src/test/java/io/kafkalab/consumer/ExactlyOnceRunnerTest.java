package io.kafkalab.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kafkalab.producer.ProducerConfigException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The exactly-once runner on Kafka's {@code MockConsumer} (a fixed log per partition, fetched again from the position
 * after a seek) and a transactional {@code MockProducer} (whose {@code history()} holds committed sends only): each
 * transaction carries the offsets of exactly the inputs whose outputs it commits; a failed handler's partial outputs
 * are never committed; retry, skip and stop decide on the record again; a refused commit is redone; a fenced producer
 * stops the runner. Broker behaviour, with a SIGKILLed child JVM, is in {@code ExactlyOnceIT}.
 */
class ExactlyOnceRunnerTest {

    private static final String TOPIC = "t";
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ConsumerGroupMetadata GROUP = new ConsumerGroupMetadata("g", 7, "member-1", Optional.empty());

    /** The log consumer, with a group generation of its own, that records any commit of its own. */
    static final class Log extends NonBlockingRetryTest.LogConsumer {
        Log(int partitions, int perPartition) {
            super(partitions, perPartition);
        }

        @Override
        public synchronized ConsumerGroupMetadata groupMetadata() {
            return GROUP;
        }
    }

    /** A handler that sends two outputs per input ("v3-a", "v3-b"), and fails some inputs between the two. */
    static final class Copy implements ProcessingHandler<String, String, String, String> {
        final Map<String, Integer> failing;
        final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

        /** @param failing "partition@offset" to the number of times it fails (Integer.MAX_VALUE: always) */
        Copy(Map<String, Integer> failing) {
            this.failing = failing;
        }

        @Override
        public void process(ConsumerRecord<String, String> r, Output<String, String> out) {
            String id = r.partition() + "@" + r.offset();
            int n = calls.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            out.send("out", r.key(), r.partition() + ":" + r.value() + "-a");
            if (n <= failing.getOrDefault(id, 0)) {
                throw new IllegalStateException("fails " + id + " attempt " + n);
            }
            out.send(new ProducerRecord<>("out", r.key(), r.partition() + ":" + r.value() + "-b"));
        }
    }

    /** Checks at each commit that the outputs committed so far are exactly those of the inputs committed so far. */
    static final class Invariant implements ConsumerRunnerListener {
        final MockProducer<byte[], byte[]> producer;
        final Set<String> skipped;
        final List<String> broken = new CopyOnWriteArrayList<>();
        final Map<TopicPartition, Long> committed = new ConcurrentHashMap<>();

        Invariant(MockProducer<byte[], byte[]> producer, Set<String> skipped) {
            this.producer = producer;
            this.skipped = skipped;
        }

        @Override
        public void onCommitted(Map<TopicPartition, OffsetAndMetadata> offsets) {
            offsets.forEach((tp, o) -> committed.put(tp, o.offset()));
            List<String> outputs = values(producer).stream().filter(v -> v.endsWith("-a") || v.endsWith("-b")).toList();
            List<String> expected = new java.util.ArrayList<>();
            committed.forEach((tp, next) -> {
                for (long o = 0; o < next; o++) {
                    if (!skipped.contains(tp.partition() + "@" + o)) {
                        expected.add(tp.partition() + ":v" + o + "-a");
                        expected.add(tp.partition() + ":v" + o + "-b");
                    }
                }
            });
            if (outputs.size() != expected.size() || !Set.copyOf(outputs).equals(Set.copyOf(expected))) {
                broken.add("committed " + committed + " but " + outputs.size() + " outputs, " + expected.size()
                        + " expected");
            }
        }
    }

    private static List<String> values(MockProducer<byte[], byte[]> producer) {
        return producer.history().stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    }

    private static MockProducer<byte[], byte[]> producer() {
        return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static ExactlyOnce<String, String> exactlyOnce(MockProducer<byte[], byte[]> producer) {
        return ExactlyOnce.of(Map.of("bootstrap.servers", "unused:9092", "transactional.id", "tx-1"),
                new StringSerializer(), new StringSerializer()).producerFactory(config -> producer);
    }

    private static ConsumerRunner.Builder<String, String> builder(Log c, ConsumerRunnerListener listener) {
        return builder(c, listener, new StringDeserializer());
    }

    private static ConsumerRunner.Builder<String, String> builder(Log c, ConsumerRunnerListener listener,
                                                                  Deserializer<String> values) {
        return ConsumerRunner.builder(Map.of("group.id", "g", "bootstrap.servers", "unused:9092"),
                        new StringDeserializer(), values)
                .topics(TOPIC).consumerFactory(config -> c).pollTimeout(Duration.ofMillis(5)).listener(listener);
    }

    /** The offsets of the last transaction that committed each partition. */
    private static Map<TopicPartition, Long> txOffsets(MockProducer<byte[], byte[]> producer) {
        Map<TopicPartition, Long> last = new HashMap<>();
        for (Map<String, Map<TopicPartition, OffsetAndMetadata>> commit : producer.consumerGroupOffsetsHistory()) {
            commit.forEach((group, offsets) -> {
                assertThat(group).isEqualTo("g");
                offsets.forEach((tp, o) -> last.merge(tp, o.offset(), Math::max));
            });
        }
        return last;
    }

    private static boolean allCommitted(MockProducer<byte[], byte[]> producer, int partitions, long next) {
        Map<TopicPartition, Long> last = txOffsets(producer);
        for (int p = 0; p < partitions; p++) {
            if (last.getOrDefault(new TopicPartition(TOPIC, p), -1L) != next) {
                return false;
            }
        }
        return true;
    }

    @Test
    void eachTransactionCommitsTheOffsetsOfExactlyTheInputsWhoseOutputsItCarries() throws Exception {
        Log c = new Log(2, 300);
        MockProducer<byte[], byte[]> producer = producer();
        Invariant invariant = new Invariant(producer, Set.of());
        try (ConsumerRunner<String, String> runner = builder(c, invariant)
                .processing(exactlyOnce(producer), new Copy(Map.of())).start()) {
            await().atMost(WAIT).until(() -> allCommitted(producer, 2, 300));
            RunnerMetrics m = runner.metrics();
            assertThat(m.transactionsCommitted()).isPositive().isEqualTo(m.commits());
            assertThat(m.transactionsAborted()).isZero();
            assertThat(m.lastCommitted()).containsEntry(new TopicPartition(TOPIC, 0), 300L);
        }
        assertThat(values(producer)).hasSize(1200).doesNotHaveDuplicates();
        assertThat(invariant.broken).isEmpty();
        assertThat(c.commits).as("the consumer itself commits nothing").isEmpty();
        assertThat(producer.closed()).as("the runner closes its producer").isTrue();
    }

    @Test
    void aFailedHandlerAbortsItsTransactionAndIsRetriedWithNoPartialOutputCommitted() throws Exception {
        Log c = new Log(3, 200);
        MockProducer<byte[], byte[]> producer = producer();
        Invariant invariant = new Invariant(producer, Set.of());
        Copy copy = new Copy(Map.of("0@7", 2, "1@120", 2, "2@0", 1));
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        ConsumerRunnerListener listener = new ConsumerRunnerListener() {
            @Override
            public void onCommitted(Map<TopicPartition, OffsetAndMetadata> offsets) {
                invariant.onCommitted(offsets);
            }

            @Override
            public void onError(Failure failure, ErrorDecision decision) {
                attempts.add(failure.attempt());
            }
        };
        try (ConsumerRunner<String, String> runner = builder(c, listener)
                .errorPolicy(ErrorPolicy.retry(3, Duration.ofMillis(20), Duration.ofMillis(20), ErrorPolicy.stop()))
                .processing(exactlyOnce(producer), copy).start()) {
            await().atMost(WAIT).until(() -> allCommitted(producer, 3, 200));
            assertThat(runner.metrics().retries()).isEqualTo(5);
            assertThat(runner.metrics().transactionsAborted()).as("one abort per failed attempt").isEqualTo(5);
            assertThat(runner.failure()).isNull();
        }
        assertThat(values(producer)).as("every input's two outputs once, none of a failed attempt")
                .hasSize(1200).doesNotHaveDuplicates();
        assertThat(invariant.broken).isEmpty();
        assertThat(copy.calls.get("0@7")).hasValue(3);
        assertThat(attempts).as("attempts go on across aborts").containsExactlyInAnyOrder(1, 2, 1, 2, 1);
    }

    @Test
    void aSkippedRecordCommitsItsOffsetWithoutAnyOfItsOutputsAndTheRecordsBeforeItAreRedoneOnce() throws Exception {
        Log c = new Log(2, 100);
        MockProducer<byte[], byte[]> producer = producer();
        Invariant invariant = new Invariant(producer, Set.of("1@30"));
        Copy copy = new Copy(Map.of("1@30", Integer.MAX_VALUE));
        try (ConsumerRunner<String, String> runner = builder(c, invariant).errorPolicy(ErrorPolicy.skip())
                .processing(exactlyOnce(producer), copy).start()) {
            await().atMost(WAIT).until(() -> allCommitted(producer, 2, 100));
            assertThat(runner.metrics().skipped()).isEqualTo(1);
            assertThat(runner.metrics().transactionsAborted()).isEqualTo(1);
        }
        List<String> outputs = values(producer);
        assertThat(outputs).hasSize(398).doesNotHaveDuplicates().doesNotContain("1:v30-a", "1:v30-b");
        assertThat(invariant.broken).isEmpty();
        assertThat(copy.calls.get("1@30")).as("the policy skips it without a second handler call").hasValue(1);
        assertThat(copy.calls.get("1@29")).as("handled in the aborted transaction and again").hasValue(2);
    }

    @Test
    void aDeadLetterSentThroughTheRunnersProducerCommitsWithTheFailedRecordsOffset() throws Exception {
        Log c = new Log(2, 100);
        MockProducer<byte[], byte[]> producer = producer();
        Invariant invariant = new Invariant(producer, Set.of("0@10"));
        List<String> dltMismatch = new CopyOnWriteArrayList<>();
        ConsumerRunnerListener listener = new ConsumerRunnerListener() {
            @Override
            public void onCommitted(Map<TopicPartition, OffsetAndMetadata> offsets) {
                invariant.onCommitted(offsets);
                long dlt = producer.history().stream().filter(r -> r.topic().equals("t.DLT")).count();
                long expected = invariant.committed.getOrDefault(new TopicPartition(TOPIC, 0), 0L) > 10 ? 1 : 0;
                if (dlt != expected) {
                    dltMismatch.add(dlt + " dead letters committed with " + invariant.committed);
                }
            }
        };
        ExactlyOnce<String, String> eos = exactlyOnce(producer).errorPolicy(p -> ErrorPolicy.retry(2,
                Duration.ofMillis(10), Duration.ofMillis(10), ErrorPolicy.deadLetter(p)));
        try (ConsumerRunner<String, String> runner = builder(c, listener)
                .processing(eos, new Copy(Map.of("0@10", Integer.MAX_VALUE))).start()) {
            await().atMost(WAIT).until(() -> allCommitted(producer, 2, 100));
            assertThat(runner.metrics().deadLettered()).isEqualTo(1);
            assertThat(runner.metrics().transactionsAborted()).as("one abort per failed attempt").isEqualTo(2);
        }
        List<ProducerRecord<byte[], byte[]>> dlt = producer.history().stream().filter(r -> r.topic().equals("t.DLT"))
                .toList();
        assertThat(dlt).hasSize(1);
        assertThat(new String(dlt.get(0).headers().lastHeader(DeadLetterPolicy.ORIGINAL_OFFSET).value(),
                StandardCharsets.UTF_8)).isEqualTo("10");
        assertThat(values(producer).stream().filter(v -> v.endsWith("-a") || v.endsWith("-b"))).hasSize(398)
                .doesNotContain("0:v10-a", "0:v10-b");
        assertThat(dltMismatch).isEmpty();
        assertThat(invariant.broken).isEmpty();
    }

    @Test
    void aStopCommitsTheRecordsBeforeTheFailedOneAndNotIt() throws Exception {
        Log c = new Log(1, 50);
        MockProducer<byte[], byte[]> producer = producer();
        Invariant invariant = new Invariant(producer, Set.of());
        try (ConsumerRunner<String, String> runner = builder(c, invariant).errorPolicy(ErrorPolicy.stop())
                .processing(exactlyOnce(producer), new Copy(Map.of("0@20", Integer.MAX_VALUE))).start()) {
            assertThat(runner.awaitTermination(WAIT)).isTrue();
            assertThat(runner.failure()).isInstanceOf(RecordProcessingException.class);
        }
        assertThat(txOffsets(producer)).containsEntry(new TopicPartition(TOPIC, 0), 20L);
        assertThat(values(producer)).hasSize(40).doesNotContain("0:v20-a");
        assertThat(invariant.broken).isEmpty();
    }

    @Test
    void aPoisonPillIsDecidedInTheOpenTransactionWithoutAnAbort() throws Exception {
        Log c = new Log(1, 50);
        MockProducer<byte[], byte[]> producer = producer();
        Invariant invariant = new Invariant(producer, Set.of("0@5"));
        Deserializer<String> values = (topic, data) -> {
            String s = new String(data, StandardCharsets.UTF_8);
            if (s.equals("v5")) {
                throw new IllegalArgumentException("poison");
            }
            return s;
        };
        try (ConsumerRunner<String, String> runner = builder(c, invariant, values).errorPolicy(ErrorPolicy.skip())
                .processing(exactlyOnce(producer), new Copy(Map.of())).start()) {
            await().atMost(WAIT).until(() -> allCommitted(producer, 1, 50));
            assertThat(runner.metrics().deserializationFailures()).isEqualTo(1);
            assertThat(runner.metrics().transactionsAborted()).isZero();
        }
        assertThat(values(producer)).hasSize(98).doesNotHaveDuplicates();
        assertThat(invariant.broken).isEmpty();
    }

    @Test
    void aCommitRefusedAfterARebalanceAbortsAndTheRecordsAreReadAgainExactlyOnce() throws Exception {
        Log c = new Log(2, 200);
        MockProducer<byte[], byte[]> producer = producer();
        Invariant invariant = new Invariant(producer, Set.of());
        AtomicInteger refused = new AtomicInteger();
        ConsumerRunnerListener listener = new ConsumerRunnerListener() {
            @Override
            public void onCommitted(Map<TopicPartition, OffsetAndMetadata> offsets) {
                invariant.onCommitted(offsets);
                if (refused.get() == 0) {
                    // the group moves on: the next transaction's offsets are refused, as KIP-447 fences a zombie
                    producer.sendOffsetsToTransactionException = new CommitFailedException("generation moved on");
                }
            }

            @Override
            public void onCommitFailed(Map<TopicPartition, OffsetAndMetadata> offsets, Exception error) {
                refused.incrementAndGet();
                producer.sendOffsetsToTransactionException = null;
            }
        };
        try (ConsumerRunner<String, String> runner = builder(c, listener)
                .processing(exactlyOnce(producer), new Copy(Map.of())).start()) {
            await().atMost(WAIT).until(() -> allCommitted(producer, 2, 200));
            assertThat(runner.metrics().transactionsAborted()).isEqualTo(1);
            assertThat(runner.metrics().commitFailures()).isEqualTo(1);
            assertThat(runner.failure()).isNull();
        }
        assertThat(refused).hasValue(1);
        assertThat(values(producer)).hasSize(800).doesNotHaveDuplicates();
        assertThat(invariant.broken).isEmpty();
    }

    @Test
    void aFencedProducerIsClosedAndStopsTheRunnerWithProducerFencedException() throws Exception {
        Log c = new Log(1, 100);
        MockProducer<byte[], byte[]> producer = producer();
        AtomicInteger calls = new AtomicInteger();
        try (ConsumerRunner<String, String> runner = builder(c, new ConsumerRunnerListener() { })
                .processing(exactlyOnce(producer), (r, out) -> {
                    if (calls.incrementAndGet() == 30) {
                        producer.fenceProducer(); // another producer took the transactional.id
                    }
                    out.send("out", r.key(), r.value());
                }).start()) {
            assertThat(runner.awaitTermination(WAIT)).isTrue();
            assertThat(runner.failure()).isInstanceOf(ProducerFencedException.class);
        }
        assertThat(producer.closed()).isTrue();
        assertThat(values(producer)).as("only what committed before the fence").hasSizeLessThan(30);
    }

    @Test
    void theDocumentedExampleBuilds() {
        String servers = "unused:9092";
        int instance = 3;
        // tag::exactly-once[]
        ConsumerRunner<String, String> runner = ConsumerRunner
                .builder(Map.of("bootstrap.servers", servers, "group.id", "enricher",
                                "auto.offset.reset", "earliest"),
                        new StringDeserializer(), new StringDeserializer())
                .topics("orders")
                .errorPolicy(ErrorPolicy.retry(3, Duration.ofMillis(100), Duration.ofSeconds(1),
                        ErrorPolicy.skip()))
                .processing(ExactlyOnce.of(Map.of("bootstrap.servers", servers,
                                        "transactional.id", "enricher-" + instance), // same id on restart
                                new StringSerializer(), new StringSerializer()),
                        (record, out) -> {
                            // both outputs and the input's offset commit together, or not at all
                            out.send("orders-enriched", record.key(), record.value().toUpperCase());
                            out.send("orders-audit", record.key(), "seen " + record.offset());
                        });
        // end::exactly-once[]
        assertThat(runner.isRunning()).isFalse();
        assertThat(runner.close(Duration.ofSeconds(1))).isTrue();
    }

    @Test
    void conflictingSettingsFailAtBuildTimeNamingTheSetting() {
        MockProducer<byte[], byte[]> producer = producer();
        Function<Map<String, Object>, ConsumerRunner.Builder<String, String>> builder = extra -> {
            Map<String, Object> config = new HashMap<>(Map.of("group.id", "g", "bootstrap.servers", "unused:9092"));
            config.putAll(extra);
            return ConsumerRunner.builder(config, new StringDeserializer(), new StringDeserializer()).topics(TOPIC);
        };
        ProcessingHandler<String, String, String, String> copy = new Copy(Map.of());
        assertThatThrownBy(() -> builder.apply(Map.of()).concurrency(2).processing(exactlyOnce(producer), copy))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("concurrency 2");
        assertThatThrownBy(() -> builder.apply(Map.of("isolation.level", "read_uncommitted"))
                .processing(exactlyOnce(producer), copy))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("isolation.level=read_uncommitted");
        assertThatThrownBy(() -> builder.apply(Map.of("enable.auto.commit", "true"))
                .processing(exactlyOnce(producer), copy))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("enable.auto.commit");
        assertThatThrownBy(() -> builder.apply(Map.of()).commitPolicy(CommitPolicy.afterEachRecord())
                .processing(exactlyOnce(producer), copy))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("commitPolicy afterEachRecord");
        assertThatThrownBy(() -> ExactlyOnce.of(Map.of("bootstrap.servers", "unused:9092"), new StringSerializer(),
                new StringSerializer()))
                .isInstanceOf(ProducerConfigException.class).hasMessageContaining("transactional.id");
        assertThatThrownBy(() -> ExactlyOnce.of(Map.of("bootstrap.servers", "unused:9092", "transactional.id", "t",
                "acks", "1"), new StringSerializer(), new StringSerializer()))
                .isInstanceOf(ProducerConfigException.class).hasMessageContaining("acks=1");
    }
}
