package io.kafkalab.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkalab.message.CustomMessage;
import io.kafkalab.message.CustomMessageDeserializer;
import io.kafkalab.message.MessageDeserializationException;
import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Ten records on one partition: offset 4 is a poison pill (not JSON), the handler throws on offset 7.
 * Each error policy does what it says, and the committed offset shows it.
 */
@KafkaTest(brokers = 3)
class ErrorPoliciesIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String POISON = "not json {";

    private final List<Long> handledOffsets = new CopyOnWriteArrayList<>();
    private final Map<Long, AtomicInteger> attempts = new ConcurrentHashMap<>();

    private void handle(ConsumerRecord<String, CustomMessage> r) {
        attempts.computeIfAbsent(r.offset(), o -> new AtomicInteger()).incrementAndGet();
        if (r.value().value().equals("fail-me")) {
            throw new IllegalStateException("cannot handle offset " + r.offset());
        }
        handledOffsets.add(r.offset());
    }

    @Test
    void skipLogsCountsAndCommitsPastBothFailures(KafkaCluster cluster) {
        try (Scenario s = new Scenario(cluster, true, b -> b.errorPolicy(ErrorPolicy.skip()).records(this::handle))) {
            s.awaitCommitted(10);
            assertThat(handledOffsets).containsExactly(0L, 1L, 2L, 3L, 5L, 6L, 8L, 9L);
            RunnerMetrics m = s.runner.metrics();
            assertThat(m.skipped()).isEqualTo(2);
            assertThat(m.deserializationFailures()).isEqualTo(1);
            assertThat(m.recordsProcessed()).isEqualTo(8);
            assertThat(s.errors).extracting(f -> f.first().offset() + ":" + f.kind())
                    .containsExactly("4:VALUE_DESERIALIZATION", "7:HANDLER");
            assertThat(s.errors.get(0).error()).isInstanceOf(MessageDeserializationException.class);
        }
    }

    @Test
    void deadLetterPublishesTheOriginalBytesWithWhereAndWhy(KafkaCluster cluster) {
        Map<String, Object> producerConfig = new HashMap<>(cluster.adminConfig());
        producerConfig.put("acks", "all");
        try (Producer<byte[], byte[]> dlt = new KafkaProducer<>(producerConfig, new ByteArraySerializer(),
                new ByteArraySerializer());
             Scenario s = new Scenario(cluster, true, b -> b.errorPolicy(ErrorPolicy.deadLetter(dlt))
                     .records(this::handle))) {
            s.awaitCommitted(10);
            assertThat(s.runner.metrics().deadLettered()).isEqualTo(2);

            List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestUtils.consume(cluster, s.topic + ".DLT", 2, WAIT,
                    new ByteArrayDeserializer(), new ByteArrayDeserializer());
            assertThat(dead).hasSize(2);
            ConsumerRecord<byte[], byte[]> poison = dead.stream()
                    .filter(r -> header(r, DeadLetterPolicy.ORIGINAL_OFFSET).equals("4")).findFirst().orElseThrow();
            assertThat(poison.value()).isEqualTo(POISON.getBytes(StandardCharsets.UTF_8));
            assertThat(new String(poison.key(), StandardCharsets.UTF_8)).isEqualTo("user-4");
            assertThat(header(poison, DeadLetterPolicy.FAILURE_KIND)).isEqualTo("VALUE_DESERIALIZATION");
            assertThat(header(poison, DeadLetterPolicy.EXCEPTION_CLASS))
                    .isEqualTo(MessageDeserializationException.class.getName());
            assertThat(header(poison, DeadLetterPolicy.ORIGINAL_TOPIC)).isEqualTo(s.topic);
            assertThat(header(poison, DeadLetterPolicy.ORIGINAL_PARTITION)).isEqualTo("0");
            assertThat(header(poison, DeadLetterPolicy.CONSUMER_GROUP)).isEqualTo(s.group);
            assertThat(header(poison, DeadLetterPolicy.ORIGINAL_TIMESTAMP)).matches("\\d{13}");

            ConsumerRecord<byte[], byte[]> failed = dead.stream()
                    .filter(r -> header(r, DeadLetterPolicy.ORIGINAL_OFFSET).equals("7")).findFirst().orElseThrow();
            assertThat(new String(failed.value(), StandardCharsets.UTF_8)).isEqualTo(json("user-7", "fail-me"));
            assertThat(header(failed, DeadLetterPolicy.FAILURE_KIND)).isEqualTo("HANDLER");
            assertThat(header(failed, DeadLetterPolicy.EXCEPTION_MESSAGE)).isEqualTo("cannot handle offset 7");
        }
    }

    @Test
    void stopOnAPoisonPillLeavesTheCommittedOffsetJustBeforeIt(KafkaCluster cluster) throws Exception {
        try (Scenario s = new Scenario(cluster, true, b -> b.errorPolicy(ErrorPolicy.stop()).records(this::handle))) {
            assertThat(s.runner.awaitTermination(WAIT)).isTrue();
            assertThat(s.runner.failure()).isInstanceOf(RecordProcessingException.class)
                    .hasMessageStartingWith("stopped at " + s.topic + "-0@4: ");
            assertThat(((RecordProcessingException) s.runner.failure()).offset()).isEqualTo(4);
            assertThat(handledOffsets).containsExactly(0L, 1L, 2L, 3L);
            assertThat(s.committed()).isEqualTo(4);
            assertThat(s.stopped).containsExactly(s.runner.failure());
        }
    }

    @Test
    void stopOnAHandlerFailureLeavesTheCommittedOffsetJustBeforeIt(KafkaCluster cluster) throws Exception {
        try (Scenario s = new Scenario(cluster, false, b -> b.errorPolicy(ErrorPolicy.stop()).records(this::handle))) {
            assertThat(s.runner.awaitTermination(WAIT)).isTrue();
            assertThat(((RecordProcessingException) s.runner.failure()).offset()).isEqualTo(7);
            assertThat(s.committed()).isEqualTo(7);
        }
    }

    @Test
    void retryRetriesHandlerFailuresButNeverAPoisonPillThenSkips(KafkaCluster cluster) {
        ErrorPolicy policy = ErrorPolicy.retry(3, Duration.ofMillis(10), Duration.ofMillis(50), ErrorPolicy.skip());
        try (Scenario s = new Scenario(cluster, true, b -> b.errorPolicy(policy).records(this::handle))) {
            s.awaitCommitted(10);
            assertThat(attempts.get(7L)).hasValue(3);
            assertThat(attempts).doesNotContainKey(4L);
            assertThat(s.runner.metrics().retries()).isEqualTo(2);
            assertThat(s.runner.metrics().skipped()).isEqualTo(2);
            assertThat(s.errors).extracting(Failure::attempt).containsExactly(1, 1, 2, 3);
        }
    }

    @Test
    void retrySucceedsWhenTheHandlerRecovers(KafkaCluster cluster) {
        ErrorPolicy policy = ErrorPolicy.retry(5, Duration.ofMillis(10), Duration.ofMillis(50), ErrorPolicy.stop());
        try (Scenario s = new Scenario(cluster, false, b -> b.errorPolicy(policy).records(r -> {
            if (attempts.computeIfAbsent(r.offset(), o -> new AtomicInteger()).incrementAndGet() < 3
                    && r.offset() == 7) {
                throw new IllegalStateException("transient");
            }
            handledOffsets.add(r.offset());
        }))) {
            s.awaitCommitted(10);
            assertThat(handledOffsets).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
            assertThat(s.runner.failure()).isNull();
        }
    }

    @Test
    void aBatchHandlerNamesTheFailedRecordSoOnlyItIsRecovered(KafkaCluster cluster) {
        List<List<Long>> calls = new CopyOnWriteArrayList<>();
        try (Scenario s = new Scenario(cluster, false, b -> b.errorPolicy(ErrorPolicy.skip()).batches(10, batch -> {
            calls.add(batch.stream().map(ConsumerRecord::offset).toList());
            for (int i = 0; i < batch.size(); i++) {
                if (batch.get(i).value().value().equals("fail-me")) {
                    throw new BatchFailedException(i, new IllegalStateException("bad record"));
                }
                handledOffsets.add(batch.get(i).offset());
            }
        }))) {
            s.awaitCommitted(10);
            assertThat(handledOffsets).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 8L, 9L);
            assertThat(calls.stream().filter(c -> c.contains(7L))).as("7 is handed over once, then skipped").hasSize(1);
            assertThat(calls).anySatisfy(c -> assertThat(c).startsWith(8L));
            assertThat(s.errors).singleElement().satisfies(f -> {
                assertThat(f.first().offset()).isEqualTo(7);
                assertThat(f.records()).hasSize(1);
                assertThat(f.error()).hasMessage("bad record");
            });
        }
    }

    @Test
    void aBatchStopKeepsTheRecordsBeforeTheFailedOneCommitted(KafkaCluster cluster) throws Exception {
        try (Scenario s = new Scenario(cluster, false, b -> b.errorPolicy(ErrorPolicy.stop()).batches(10, batch -> {
            for (int i = 0; i < batch.size(); i++) {
                if (batch.get(i).value().value().equals("fail-me")) {
                    throw new BatchFailedException(i, new IllegalStateException("bad record"));
                }
            }
        }))) {
            assertThat(s.runner.awaitTermination(WAIT)).isTrue();
            assertThat(s.committed()).isEqualTo(7);
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
        return new String(r.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }

    private static String json(String key, String value) {
        return "{\"key\":\"" + key + "\",\"value\":\"" + value + "\"}";
    }

    /** One partition, ten records (offset 4 optionally a poison pill, offset 7 "fail-me"), one runner. */
    private final class Scenario implements AutoCloseable {
        final KafkaCluster cluster;
        final String topic = KafkaTestUtils.uniqueTopic("errors");
        final String group = KafkaTestUtils.uniqueGroup("errors");
        final List<Failure> errors = new CopyOnWriteArrayList<>();
        final List<Throwable> stopped = new CopyOnWriteArrayList<>();
        final ConsumerRunner<String, CustomMessage> runner;

        Scenario(KafkaCluster cluster, boolean poison,
                 Function<ConsumerRunner.Builder<String, CustomMessage>, ConsumerRunner<String, CustomMessage>> build) {
            this.cluster = cluster;
            cluster.createTopic(topic, 1, 2);
            cluster.createTopic(topic + ".DLT", 1, 2);
            KafkaTestUtils.produce(cluster, topic, 10, i -> new ProducerRecord<>(topic, "user-" + i,
                    i == 4 && poison ? POISON : json("user-" + i, i == 7 ? "fail-me" : "message " + i)));
            runner = build.apply(ConsumerRunner.builder(KafkaTestUtils.consumerConfig(cluster, group),
                            new StringDeserializer(), new CustomMessageDeserializer())
                    .topics(topic)
                    .listener(new ConsumerRunnerListener() {
                        @Override
                        public void onError(Failure failure, ErrorDecision decision) {
                            errors.add(failure);
                        }

                        @Override
                        public void onStopped(Throwable cause) {
                            if (cause != null) {
                                stopped.add(cause);
                            }
                        }
                    })).start();
        }

        Long committed() {
            return KafkaTestUtils.committedOffsets(cluster, group).get(new TopicPartition(topic, 0));
        }

        void awaitCommitted(long offset) {
            await().atMost(WAIT).until(() -> committed() != null && committed() == offset);
        }

        @Override
        public void close() {
            runner.close(WAIT);
        }
    }
}
