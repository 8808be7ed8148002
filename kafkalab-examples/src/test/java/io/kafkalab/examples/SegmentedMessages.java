package io.kafkalab.examples;

import io.kafkalab.segment.SegmentingProducer;
import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Test set-up: one text sent as a segmented message, as {@code ./kafkalab http} sends them. */
final class SegmentedMessages {

    private SegmentedMessages() {
    }

    /** Sends {@code text} to {@code topic} in segments of {@code segmentBytes}, and waits for all of them. */
    static void send(KafkaCluster cluster, String topic, String key, String text, int segmentBytes) throws Exception {
        try (Producer<String, byte[]> producer = new KafkaProducer<>(KafkaTestUtils.producerConfig(cluster),
                new StringSerializer(), new ByteArraySerializer())) {
            new SegmentingProducer<>(producer, segmentBytes).sendText(topic, key, text).get(30, TimeUnit.SECONDS);
        }
    }
}
