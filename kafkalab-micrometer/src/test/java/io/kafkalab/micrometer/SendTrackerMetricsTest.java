package io.kafkalab.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkalab.producer.SendTracker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class SendTrackerMetricsTest {

    @Test
    void metersShowSentAcknowledgedFailedAndPending() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        SendTracker tracker = new SendTracker();
        new SendTrackerMetrics(tracker, "p1").bindTo(registry);
        MockProducer<String, String> producer = new MockProducer<>(false, null, new StringSerializer(),
                new StringSerializer());
        for (int i = 0; i < 5; i++) {
            tracker.send(producer, new ProducerRecord<>("t", "k" + i, "v"));
        }
        producer.completeNext();
        producer.completeNext();
        producer.errorNext(new RuntimeException("refused"));

        assertThat(registry.get("kafkalab.producer.sent").tag("name", "p1").functionCounter().count()).isEqualTo(5);
        assertThat(registry.get("kafkalab.producer.acknowledged").tag("name", "p1").functionCounter().count())
                .isEqualTo(2);
        assertThat(registry.get("kafkalab.producer.failed").tag("name", "p1").functionCounter().count())
                .isEqualTo(1);
        assertThat(registry.get("kafkalab.producer.pending").tag("name", "p1").gauge().value()).isEqualTo(2);
        assertThat(registry.get("kafkalab.producer.pending").tag("name", "p1").gauge().value())
                .isEqualTo(tracker.summary().pending());
    }
}
