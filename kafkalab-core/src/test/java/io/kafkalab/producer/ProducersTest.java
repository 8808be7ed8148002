package io.kafkalab.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import io.kafkalab.NotAuthorizedException;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProducersTest {

    private static final Map<String, Object> BOOTSTRAP = Map.of("bootstrap.servers", "127.0.0.1:9");

    @ParameterizedTest(name = "{0}: {1}={2}")
    @CsvSource(delimiter = '|', value = {
        "AT_LEAST_ONCE | acks | 1 | acks=1 breaks AT_LEAST_ONCE: a record acknowledged before every in-sync replica has it is lost if the leader fails; use acks=all",
        "AT_LEAST_ONCE | acks | 0 | acks=0 breaks AT_LEAST_ONCE: a record acknowledged before every in-sync replica has it is lost if the leader fails; use acks=all",
        "AT_LEAST_ONCE | enable.idempotence | false | enable.idempotence=false breaks AT_LEAST_ONCE: retries could then duplicate or reorder records; use enable.idempotence=true",
        "AT_LEAST_ONCE | retries | 0 | retries=0 breaks AT_LEAST_ONCE: the first transient error would drop the record; leave retries unset and bound retrying with delivery.timeout.ms",
        "AT_LEAST_ONCE | max.in.flight.requests.per.connection | 6 | max.in.flight.requests.per.connection=6 breaks AT_LEAST_ONCE: the idempotent producer keeps order only with at most 5",
        "AT_LEAST_ONCE | transactional.id | tx-1 | transactional.id=tx-1 breaks AT_LEAST_ONCE: a transactional producer must wrap its sends in transactions; use EXACTLY_ONCE",
        "EXACTLY_ONCE | acks | 1 | acks=1 breaks EXACTLY_ONCE: a record acknowledged before every in-sync replica has it is lost if the leader fails; use acks=all",
        "EXACTLY_ONCE | max.in.flight.requests.per.connection | 10 | max.in.flight.requests.per.connection=10 breaks EXACTLY_ONCE: the idempotent producer keeps order only with at most 5",
        "AT_MOST_ONCE | retries | 5 | retries=5 breaks AT_MOST_ONCE: a retried record may be written twice; use retries=0",
        "AT_MOST_ONCE | enable.idempotence | true | enable.idempotence=true breaks AT_MOST_ONCE: the idempotent producer retries failed sends; use enable.idempotence=false",
        "AT_MOST_ONCE | transactional.id | tx-2 | transactional.id=tx-2 breaks AT_MOST_ONCE: a transactional producer must wrap its sends in transactions; use EXACTLY_ONCE"})
    void refusesASettingThatBreaksTheGuaranteeNamingKeyAndValue(DeliveryGuarantee guarantee, String key,
                                                               String value, String message) {
        Map<String, Object> user = new HashMap<>(BOOTSTRAP);
        user.put(key, value);
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            user.put("transactional.id", "tx");
        }
        ProducerConfigException e = catchThrowableOfType(ProducerConfigException.class,
                () -> Producers.create(guarantee, user, new StringSerializer(), new StringSerializer()));
        assertThat(e).hasMessage(message);
        assertThat(e.key()).isEqualTo(key);
        assertThat(e.value()).isEqualTo(value);
        assertThat(e.guarantee()).isEqualTo(guarantee);
    }

    @Test
    void exactlyOnceNeedsATransactionalId() {
        assertThatThrownBy(() -> Producers.config(DeliveryGuarantee.EXACTLY_ONCE, BOOTSTRAP))
                .isInstanceOf(ProducerConfigException.class)
                .hasMessage("EXACTLY_ONCE needs transactional.id: set one that stays the same across restarts of this"
                        + " producer");
    }

    @Test
    void acceptsTypedValuesAndTheEquivalentSpellings() {
        Map<String, Object> user = new HashMap<>(BOOTSTRAP);
        user.put("acks", -1);
        user.put("enable.idempotence", Boolean.TRUE);
        user.put("max.in.flight.requests.per.connection", 5);
        user.put("retries", Integer.MAX_VALUE);
        assertThat(Producers.config(DeliveryGuarantee.AT_LEAST_ONCE, user)).containsEntry("acks", -1);
        assertThat(Producers.config(DeliveryGuarantee.AT_LEAST_ONCE, Map.of("acks", "ALL"))).containsEntry("acks", "ALL");
        assertThat(Producers.config(DeliveryGuarantee.AT_MOST_ONCE, Map.of("acks", "0"))).containsEntry("retries", 0);
    }

    @Test
    void appliesThePresetAndLetsTheUserOverrideWhatDoesNotBreakIt() {
        Map<String, Object> config = Producers.config(DeliveryGuarantee.AT_LEAST_ONCE,
                Map.of("bootstrap.servers", "b:9092", "linger.ms", 50, "compression.type", "lz4"));
        assertThat(config).containsEntry("acks", "all").containsEntry("enable.idempotence", true)
                .containsEntry("max.in.flight.requests.per.connection", 5)
                .containsEntry("delivery.timeout.ms", 120_000)
                .containsEntry("batch.size", 262_144)
                .containsEntry("linger.ms", 50)
                .containsEntry("compression.type", "lz4")
                .containsEntry("bootstrap.servers", "b:9092")
                .doesNotContainKey("retries");
        assertThat(DeliveryGuarantee.AT_MOST_ONCE.preset()).containsEntry("retries", 0).containsEntry("acks", "1");
        assertThat(DeliveryGuarantee.EXACTLY_ONCE.preset()).isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE.preset());
    }

    @Test
    void trackerCountsAcknowledgementsAndFailuresAndKeepsTheFirstError() {
        MockProducer<String, String> producer = new MockProducer<>(false, null, new StringSerializer(),
                new StringSerializer());
        SendTracker tracker = new SendTracker();
        CompletableFuture<RecordMetadata> first = tracker.send(producer, new ProducerRecord<>("t", "k", "1"));
        tracker.send(producer, new ProducerRecord<>("t", "k", "2"));
        tracker.send(producer, new ProducerRecord<>("t", "k", "3"));
        assertThat(tracker.summary()).hasToString("3 sent, 0 acknowledged, 0 failed, 3 pending");

        producer.completeNext();
        TimeoutException boom = new TimeoutException("expired");
        producer.errorNext(boom);
        producer.errorNext(new TimeoutException("second"));

        SendSummary summary = tracker.await(Duration.ofSeconds(1));
        assertThat(summary).hasToString("3 sent, 1 acknowledged, 2 failed; first error: " + boom);
        assertThat(summary.firstError()).isSameAs(boom);
        assertThat(summary.allAcknowledged()).isFalse();
        assertThat(first).isCompleted();
    }

    @Test
    void trackerAwaitIsBoundedAndSaysWhatIsPending() {
        MockProducer<String, String> producer = new MockProducer<>(false, null, new StringSerializer(),
                new StringSerializer());
        SendTracker tracker = new SendTracker();
        tracker.send(producer, new ProducerRecord<>("t", "k", "1"));
        tracker.send(producer, new ProducerRecord<>("t", "k", "2"));
        producer.completeNext();
        assertThatThrownBy(() -> tracker.await(Duration.ofMillis(50)))
                .isInstanceOf(ProducerTimeoutException.class)
                .hasMessage("1 of 2 sends still pending after 50 ms (2 sent, 1 acknowledged, 0 failed, 1 pending)");
    }

    @Test
    void aSynchronousSendFailureBecomesAFailedFutureAndIsCounted() {
        MockProducer<String, String> producer = new MockProducer<>(true, null, new StringSerializer(),
                new StringSerializer());
        producer.close();
        SendTracker tracker = new SendTracker();
        CompletableFuture<RecordMetadata> f = tracker.send(producer, new ProducerRecord<>("t", "k", "v"));
        assertThat(f).isCompletedExceptionally();
        assertThat(tracker.summary()).satisfies(s -> {
            assertThat(s.failed()).isEqualTo(1);
            assertThat(s.firstError()).isInstanceOf(IllegalStateException.class);
        });
    }

    @Test
    void aRefusedProducerIdThrownBySendItselfIsADenialNamingTheTopic() {
        // what KafkaProducer.send throws once an idempotent producer's InitProducerId was refused
        KafkaException errorState = new KafkaException(
                "Cannot execute transactional method because we are in an error state",
                new ClusterAuthorizationException("Cluster authorization failed."));
        MockProducer<String, String> producer = new MockProducer<>(true, null, new StringSerializer(),
                new StringSerializer());
        producer.sendException = errorState;
        CompletableFuture<RecordMetadata> f = Producers.send(producer, new ProducerRecord<>("orders", "k", "v"));
        Throwable denied = catchThrowableOfType(ExecutionException.class, f::get).getCause();
        assertThat(denied).isInstanceOf(NotAuthorizedException.class)
                .hasMessage("not authorized to WRITE topic 'orders'")
                .hasCauseInstanceOf(ClusterAuthorizationException.class);
        // any other KafkaException stays what it was
        KafkaException other = new KafkaException("something else", new IllegalStateException());
        producer.sendException = other;
        Throwable kept = catchThrowableOfType(ExecutionException.class,
                Producers.send(producer, new ProducerRecord<>("orders", "k", "v"))::get).getCause();
        assertThat(kept).isSameAs(other);
    }

    @Test
    void aSendAnsweredTwiceIsCountedOnceWhicheverAnswerComesFirst() {
        // KafkaProducer.send can append the record, then throw (the idempotent producer turned fatal in between),
        // and the aborted batch calls back for the same record: before the throw or after it
        KafkaException fatal = new KafkaException("Cannot execute transactional method because we are in an error state",
                new ClusterAuthorizationException("Cluster authorization failed."));
        java.util.List<org.apache.kafka.clients.producer.Callback> appended = new java.util.ArrayList<>();
        boolean[] callBackFirst = {true};
        MockProducer<String, String> producer = new MockProducer<>(true, null, new StringSerializer(),
                new StringSerializer()) {
            @Override
            public synchronized java.util.concurrent.Future<RecordMetadata> send(ProducerRecord<String, String> r,
                                                                                  org.apache.kafka.clients.producer.Callback callback) {
                if (callBackFirst[0]) {
                    callback.onCompletion(null, fatal);
                } else {
                    appended.add(callback);
                }
                throw fatal;
            }
        };
        SendTracker tracker = new SendTracker();
        CompletableFuture<RecordMetadata> first = tracker.send(producer, new ProducerRecord<>("orders", "k", "v"));
        callBackFirst[0] = false;
        CompletableFuture<RecordMetadata> second = tracker.send(producer, new ProducerRecord<>("orders", "k", "v"));
        appended.forEach(c -> c.onCompletion(null, new TimeoutException("the batch, aborted later")));

        assertThat(first).isCompletedExceptionally();
        assertThat(second).isCompletedExceptionally();
        Throwable secondError = catchThrowableOfType(ExecutionException.class, second::get).getCause();
        assertThat(secondError).as("the first answer wins").isInstanceOf(NotAuthorizedException.class);
        SendSummary summary = tracker.summary();
        assertThat(summary.sent()).isEqualTo(2);
        assertThat(summary.failed()).as("one failure per send").isEqualTo(2);
        assertThat(summary.acknowledged()).isZero();
    }

    @Test
    void flushIsBounded() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        MockProducer<String, String> stuck = new MockProducer<>(false, null, new StringSerializer(),
                new StringSerializer()) {
            @Override
            public synchronized void flush() {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try {
            assertThatThrownBy(() -> Producers.flush(stuck, Duration.ofMillis(100)))
                    .isInstanceOf(ProducerTimeoutException.class)
                    .hasMessage("flush did not complete within 100 ms");
        } finally {
            release.countDown();
        }
        MockProducer<String, String> fine = new MockProducer<>(true, null, new StringSerializer(), new StringSerializer());
        Producers.flush(fine, Duration.ofSeconds(1));
        Producers.close(fine, Duration.ofSeconds(1));
        assertThat(fine.closed()).isTrue();
    }
}
