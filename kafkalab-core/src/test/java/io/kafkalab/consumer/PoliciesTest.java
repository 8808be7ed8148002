package io.kafkalab.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

class PoliciesTest {

    private static CommitState state(long processed, long sinceMillis, boolean endOfPoll, boolean ack) {
        return new CommitState(processed, Duration.ofMillis(sinceMillis), endOfPoll, ack);
    }

    @Test
    void builtInCommitPoliciesDecideAsDocumented() {
        assertThat(CommitPolicy.afterEachRecord().shouldCommit(state(1, 0, false, false))).isTrue();
        assertThat(CommitPolicy.afterEachRecord().shouldCommit(state(0, 0, true, false))).isFalse();

        CommitPolicy ten = CommitPolicy.everyRecords(10);
        assertThat(ten.shouldCommit(state(9, 999_999, true, false))).isFalse();
        assertThat(ten.shouldCommit(state(10, 0, false, false))).isTrue();

        assertThat(CommitPolicy.afterEachPoll().shouldCommit(state(3, 0, false, false))).isFalse();
        assertThat(CommitPolicy.afterEachPoll().shouldCommit(state(3, 0, true, false))).isTrue();
        assertThat(CommitPolicy.afterEachPoll().shouldCommit(state(0, 0, true, false))).isFalse();

        CommitPolicy second = CommitPolicy.interval(Duration.ofSeconds(1));
        assertThat(second.shouldCommit(state(5, 999, true, false))).isFalse();
        assertThat(second.shouldCommit(state(5, 1000, false, false))).isTrue();
        assertThat(second.shouldCommit(state(0, 5000, true, false))).isFalse();

        CommitPolicy either = CommitPolicy.everyRecordsOrInterval(10, Duration.ofSeconds(1));
        assertThat(either.shouldCommit(state(10, 0, false, false))).isTrue();
        assertThat(either.shouldCommit(state(1, 1000, false, false))).isTrue();
        assertThat(either.shouldCommit(state(9, 999, true, false))).isFalse();

        CommitPolicy manual = CommitPolicy.manual();
        assertThat(manual.commitsOnlyAcknowledged()).isTrue();
        assertThat(manual.shouldCommit(state(100, 100_000, true, false))).isFalse();
        assertThat(manual.shouldCommit(state(1, 0, false, true))).isTrue();

        CommitPolicy auto = CommitPolicy.kafkaAutoCommit(Duration.ofMillis(500));
        assertThat(auto.autoCommitInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(auto.shouldCommit(state(1000, 100_000, true, true))).isFalse();
        assertThat(ten).hasToString("everyRecords(10)");
    }

    @Test
    void commitPoliciesNameTheBadArgument() {
        assertThatThrownBy(() -> CommitPolicy.everyRecords(0)).hasMessage("records must be >= 1, but was 0");
        assertThatThrownBy(() -> CommitPolicy.interval(Duration.ZERO)).hasMessage("interval must be >= 1 ms, but was PT0S");
        assertThatThrownBy(() -> ErrorPolicy.retry(0, Duration.ZERO, Duration.ZERO, ErrorPolicy.skip()))
                .hasMessage("maxAttempts must be >= 1, but was 0");
    }

    @Test
    void retryBacksOffExponentiallyUpToTheBoundThenHandsOver() {
        ErrorPolicy retry = ErrorPolicy.retry(5, Duration.ofMillis(100), Duration.ofMillis(300), ErrorPolicy.skip());
        assertThat(retry.onFailure(failure(FailureKind.HANDLER, 1))).isEqualTo(ErrorDecision.retry(Duration.ofMillis(100)));
        assertThat(retry.onFailure(failure(FailureKind.HANDLER, 2))).isEqualTo(ErrorDecision.retry(Duration.ofMillis(200)));
        assertThat(retry.onFailure(failure(FailureKind.HANDLER, 3))).isEqualTo(ErrorDecision.retry(Duration.ofMillis(300)));
        assertThat(retry.onFailure(failure(FailureKind.HANDLER, 4))).isEqualTo(ErrorDecision.retry(Duration.ofMillis(300)));
        assertThat(retry.onFailure(failure(FailureKind.HANDLER, 5)).outcome()).isEqualTo(ErrorDecision.Outcome.SKIP);
    }

    @Test
    void retryNeverRetriesAPoisonPill() {
        ErrorPolicy retry = ErrorPolicy.retry(5, Duration.ofMillis(100), Duration.ofSeconds(1), ErrorPolicy.stop());
        ErrorDecision d = retry.onFailure(failure(FailureKind.VALUE_DESERIALIZATION, 1));
        assertThat(d.outcome()).isEqualTo(ErrorDecision.Outcome.STOP);
    }

    @Test
    void deadLetterKeepsTheOriginalBytesAndHeadersAndSaysWhereAndWhy() {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer());
        ErrorDecision d = ErrorPolicy.deadLetter(producer).onFailure(failure(FailureKind.HANDLER, 3));
        assertThat(d.outcome()).isEqualTo(ErrorDecision.Outcome.DEAD_LETTERED);
        ProducerRecord<byte[], byte[]> dead = producer.history().get(0);
        assertThat(dead.topic()).isEqualTo("orders.DLT");
        assertThat(dead.key()).isEqualTo("k".getBytes(StandardCharsets.UTF_8));
        assertThat(dead.value()).isEqualTo(new byte[] {1, 2, 3});
        Map<String, String> headers = new java.util.HashMap<>();
        dead.headers().forEach(h -> headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
        assertThat(headers).containsEntry("trace", "abc")
                .containsEntry(DeadLetterPolicy.ORIGINAL_TOPIC, "orders")
                .containsEntry(DeadLetterPolicy.ORIGINAL_PARTITION, "2")
                .containsEntry(DeadLetterPolicy.ORIGINAL_OFFSET, "41")
                .containsEntry(DeadLetterPolicy.ORIGINAL_TIMESTAMP, "1700000000000")
                .containsEntry(DeadLetterPolicy.ORIGINAL_TIMESTAMP_TYPE, "CreateTime")
                .containsEntry(DeadLetterPolicy.CONSUMER_GROUP, "group-1")
                .containsEntry(DeadLetterPolicy.EXCEPTION_CLASS, "java.lang.IllegalStateException")
                .containsEntry(DeadLetterPolicy.EXCEPTION_MESSAGE, "boom")
                .containsEntry(DeadLetterPolicy.FAILURE_KIND, "HANDLER")
                .containsEntry(DeadLetterPolicy.ATTEMPTS, "3");
    }

    @Test
    void deadLetterStopsWhenTheDeadLetterTopicDoesNotAcknowledge() {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(),
                new ByteArraySerializer());
        ErrorDecision d = DeadLetterPolicy.builder(producer).sendTimeout(Duration.ofMillis(20)).build()
                .onFailure(failure(FailureKind.HANDLER, 1));
        assertThat(d.outcome()).isEqualTo(ErrorDecision.Outcome.STOP);
        assertThat(d.cause()).isInstanceOf(java.util.concurrent.TimeoutException.class);
    }

    @Test
    void builderRefusesWhatCannotWork() {
        var noGroup = ConsumerRunner.builder(Map.of("bootstrap.servers", "x:1"), new StringDeserializer(),
                new StringDeserializer()).topics("t");
        assertThatThrownBy(() -> noGroup.records(r -> { }))
                .hasMessage("group.id must be set: the runner commits offsets for a consumer group");
        var base = Map.<String, Object>of("bootstrap.servers", "x:1", "group.id", "g");
        assertThatThrownBy(() -> ConsumerRunner.builder(base, new StringDeserializer(), new StringDeserializer())
                .records(r -> { })).hasMessage("give either topics or a pattern to subscribe to, not neither");
        assertThatThrownBy(() -> ConsumerRunner.builder(base, new StringDeserializer(), new StringDeserializer())
                .topics("t").commitPolicy(CommitPolicy.manual()).records(r -> { }))
                .hasMessage("CommitPolicy.manual() needs an AcknowledgingRecordHandler or AcknowledgingBatchHandler:"
                        + " nothing would ever be committed");
        var auto = Map.<String, Object>of("bootstrap.servers", "x:1", "group.id", "g", "enable.auto.commit", "true");
        assertThatThrownBy(() -> ConsumerRunner.builder(auto, new StringDeserializer(), new StringDeserializer())
                .topics("t").commitPolicy(CommitPolicy.everyRecords(10)).records(r -> { }))
                .hasMessage("enable.auto.commit=true conflicts with commit policy everyRecords(10): the runner commits"
                        + " itself; use CommitPolicy.kafkaAutoCommit(interval) for Kafka's auto-commit");
        assertThatThrownBy(() -> ConsumerRunner.builder(base, new StringDeserializer(), new StringDeserializer())
                .topics("t").batches(0, b -> { })).hasMessage("maxBatchSize must be >= 1, but was 0");
    }

    private static Failure failure(FailureKind kind, int attempt) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("trace", "abc".getBytes(StandardCharsets.UTF_8));
        ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>("orders", 2, 41, 1_700_000_000_000L,
                TimestampType.CREATE_TIME, 1, 3, "k".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3}, headers,
                java.util.Optional.empty());
        return new Failure(List.of(r), new IllegalStateException("boom"), kind, attempt, "group-1");
    }
}
