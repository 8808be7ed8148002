package io.kafkalab.consumer.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kafkalab.consumer.ErrorDecision;
import io.kafkalab.consumer.ErrorPolicy;
import io.kafkalab.consumer.Failure;
import io.kafkalab.consumer.RecordProcessingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockShareConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The acknowledgement mapping on a MockShareConsumer that redelivers released records as a broker does. */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ShareConsumerRunnerTest {

    private static final String TOPIC = "orders";
    private static final Map<String, Object> CONFIG = Map.of("bootstrap.servers", "unused:9092", "group.id", "workers");

    /**
     * A MockShareConsumer that behaves like the broker for acknowledgements: records the acknowledgements, and delivers
     * a RELEASEd record again with its delivery count + 1, up to {@code limit} deliveries (then archives it).
     */
    static final class BrokerLikeShareConsumer extends MockShareConsumer<byte[], byte[]> {
        final List<String> acks = new CopyOnWriteArrayList<>();
        final List<ConsumerRecord<byte[], byte[]>> initial = new ArrayList<>();
        final int limit;
        int commits;
        volatile boolean closed;

        BrokerLikeShareConsumer(int limit, String... values) {
            this.limit = limit;
            for (int i = 0; i < values.length; i++) {
                initial.add(record(i, values[i] == null ? null : values[i].getBytes(StandardCharsets.UTF_8), 1));
            }
        }

        static ConsumerRecord<byte[], byte[]> record(long offset, byte[] value, int deliveryCount) {
            return new ConsumerRecord<>(TOPIC, 0, offset, 0L, TimestampType.CREATE_TIME, 0, value == null ? 0
                    : value.length, null, value, new RecordHeaders(), Optional.empty(),
                    Optional.of((short) deliveryCount));
        }

        @Override
        public synchronized void subscribe(Collection<String> topics) {
            super.subscribe(topics);
            initial.forEach(this::addRecord);
        }

        @Override
        public synchronized void acknowledge(ConsumerRecord<byte[], byte[]> r, AcknowledgeType type) {
            int delivery = r.deliveryCount().orElseThrow();
            acks.add(r.offset() + "#" + delivery + ":" + type.name());
            if (type == AcknowledgeType.RELEASE && delivery < limit) {
                addRecord(record(r.offset(), r.value(), delivery + 1));
            }
        }

        @Override
        public synchronized Map<org.apache.kafka.common.TopicIdPartition,
                Optional<org.apache.kafka.common.KafkaException>> commitSync(Duration timeout) {
            commits++;
            return Map.of();
        }

        @Override
        public synchronized void close(Duration timeout) {
            closed = true;
            super.close(timeout);
        }

        @Override
        public synchronized ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
            return super.poll(Duration.ZERO);
        }
    }

    private static ShareConsumerRunner.Builder<String, String> builder(BrokerLikeShareConsumer mock) {
        return ShareConsumerRunner.builder(CONFIG, new StringDeserializer(), new StringDeserializer())
                .topics(TOPIC).consumerFactory(config -> {
                    assertThat(config).containsEntry("share.acknowledgement.mode", "explicit");
                    return mock;
                });
    }

    @Test
    void acceptsHandledRecordsAndHandsTheHandlerTheDeliveryCount() {
        BrokerLikeShareConsumer mock = new BrokerLikeShareConsumer(5, "a", "b", "c");
        List<String> seen = new ArrayList<>();
        ShareConsumerRunner<String, String> runner = builder(mock).maxRecords(3)
                .records(r -> seen.add(r.value() + "#" + r.deliveryCount().orElseThrow()));
        runner.run();
        assertThat(seen).containsExactly("a#1", "b#1", "c#1");
        assertThat(mock.acks).containsExactly("0#1:ACCEPT", "1#1:ACCEPT", "2#1:ACCEPT");
        assertThat(mock.commits).isPositive();
        assertThat(runner.metrics()).isEqualTo(new ShareRunnerMetrics(3, 0, 0, 0, 0, 0, 1, 0, 0, 0));
    }

    @Test
    void releasesOnRetryThenRejectsWhenTheAttemptsAreUsedUp() {
        BrokerLikeShareConsumer mock = new BrokerLikeShareConsumer(5, "bad", "good");
        List<Integer> attempts = new ArrayList<>();
        List<String> handled = new ArrayList<>();
        ShareConsumerRunner<String, String> runner = builder(mock).maxRecords(2)
                .errorPolicy(failure -> {
                    attempts.add(failure.attempt());
                    return ErrorPolicy.retry(3, Duration.ZERO, Duration.ZERO, ErrorPolicy.skip()).onFailure(failure);
                })
                .records(r -> {
                    handled.add(r.value() + "#" + r.deliveryCount().orElseThrow());
                    if (r.value().equals("bad")) {
                        throw new IllegalStateException("boom");
                    }
                });
        runner.run();
        assertThat(attempts).containsExactly(1, 2, 3);
        assertThat(handled).containsExactly("bad#1", "good#1", "bad#2", "bad#3");
        assertThat(mock.acks).containsExactly("0#1:RELEASE", "1#1:ACCEPT", "0#2:RELEASE", "0#3:REJECT");
        ShareRunnerMetrics m = runner.metrics();
        assertThat(List.of(m.accepted(), m.released(), m.rejected(), m.failures())).containsExactly(1L, 2L, 1L, 3L);
    }

    @Test
    void acceptsADeadLetteredRecordAfterTheDeadLetterTopicAcknowledged() {
        BrokerLikeShareConsumer mock = new BrokerLikeShareConsumer(5, "bad");
        MockProducer<byte[], byte[]> dlt = new MockProducer<>(true, null, new ByteArraySerializer(),
                new ByteArraySerializer());
        ShareConsumerRunner<String, String> runner = builder(mock).maxRecords(1)
                .errorPolicy(ErrorPolicy.deadLetter(dlt))
                .records(r -> {
                    throw new IllegalStateException("boom");
                });
        runner.run();
        assertThat(dlt.history()).singleElement().satisfies(r -> assertThat(r.topic()).isEqualTo(TOPIC + ".DLT"));
        assertThat(mock.acks).containsExactly("0#1:ACCEPT");
        assertThat(runner.metrics().deadLettered()).isEqualTo(1);
    }

    @Test
    void rejectsAPoisonPillWithoutCallingTheHandler() {
        BrokerLikeShareConsumer mock = new BrokerLikeShareConsumer(5, "poison", "fine");
        Deserializer<String> picky = (topic, data) -> {
            String s = new String(data, StandardCharsets.UTF_8);
            if (s.equals("poison")) {
                throw new org.apache.kafka.common.errors.SerializationException("not a value");
            }
            return s;
        };
        List<String> handled = new ArrayList<>();
        List<Failure> failures = new ArrayList<>();
        ShareConsumerRunner<String, String> runner = ShareConsumerRunner
                .builder(CONFIG, new StringDeserializer(), picky).topics(TOPIC).consumerFactory(c -> mock)
                .maxRecords(2)
                .listener(new ShareConsumerRunnerListener() {
                    @Override
                    public void onError(Failure failure, ErrorDecision decision, AcknowledgeType ack) {
                        failures.add(failure);
                    }
                })
                .records(r -> handled.add(r.value()));
        runner.run();
        assertThat(handled).containsExactly("fine");
        assertThat(mock.acks).containsExactly("0#1:REJECT", "1#1:ACCEPT");
        assertThat(failures).singleElement().satisfies(f -> assertThat(f.kind().name())
                .isEqualTo("VALUE_DESERIALIZATION"));
        assertThat(runner.metrics().deserializationFailures()).isEqualTo(1);
    }

    @Test
    void stopReleasesTheFailedRecordAndTheRestOfThePollAndFailsWithItsCoordinates() {
        BrokerLikeShareConsumer mock = new BrokerLikeShareConsumer(1, "a", "bad", "c");
        ShareConsumerRunner<String, String> runner = builder(mock).errorPolicy(ErrorPolicy.stop())
                .records(r -> {
                    if (r.value().equals("bad")) {
                        throw new IllegalStateException("boom");
                    }
                });
        assertThatThrownBy(runner::run).isInstanceOf(RecordProcessingException.class)
                .hasMessage("stopped at orders-0@1: java.lang.IllegalStateException: boom");
        assertThat(mock.acks).containsExactly("0#1:ACCEPT", "1#1:RELEASE", "2#1:RELEASE");
        assertThat(runner.metrics().stopped()).isEqualTo(1);
        assertThat(runner.failure()).isInstanceOf(RecordProcessingException.class);
    }

    @Test
    void closeFromTheHandlerReleasesWhatIsLeftOfThePoll() {
        BrokerLikeShareConsumer mock = new BrokerLikeShareConsumer(1, "a", "b", "c");
        ShareConsumerRunner<String, String>[] self = new ShareConsumerRunner[1];
        self[0] = builder(mock).records(r -> assertThat(self[0].close(Duration.ofSeconds(1))).isFalse());
        self[0].run();
        assertThat(mock.acks).containsExactly("0#1:ACCEPT", "1#1:RELEASE", "2#1:RELEASE");
        assertThat(self[0].failure()).isNull();
        assertThat(mock.closed).isTrue();
    }

    @Test
    void refusesSettingsThatCannotWork() {
        assertThatThrownBy(() -> ShareConsumerRunner.builder(Map.of("group.id", "g", "auto.offset.reset", "earliest"),
                new StringDeserializer(), new StringDeserializer()).topics(TOPIC).records(r -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("auto.offset.reset is not a share consumer setting: set the group's"
                        + " share.auto.offset.reset (ShareGroups.autoOffsetReset)");
        assertThatThrownBy(() -> ShareConsumerRunner.builder(Map.of("group.id", "g", "share.acknowledgement.mode",
                "implicit"), new StringDeserializer(), new StringDeserializer()).topics(TOPIC).records(r -> { }))
                .hasMessageContaining("share.acknowledgement.mode=implicit conflicts with the runner");
        assertThatThrownBy(() -> ShareConsumerRunner.builder(Map.of(), new StringDeserializer(),
                new StringDeserializer()).topics(TOPIC).records(r -> { }))
                .hasMessageStartingWith("group.id must be set");
        assertThatThrownBy(() -> ShareConsumerRunner.builder(CONFIG, new StringDeserializer(),
                new StringDeserializer()).records(r -> { })).hasMessageStartingWith("topics must not be empty");
    }
}
