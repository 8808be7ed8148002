package io.kafkalab.producer;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkalab.message.CustomMessage;
import io.kafkalab.message.CustomMessageDeserializer;
import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The producer example of docs/core-api.md, compiled and run; the block there must equal the tagged region. */
@KafkaTest(brokers = 3)
class ReadmeProducerExampleIT {

    @Test
    void sendsTheLabsHundredMessages(KafkaCluster cluster) {
        String bootstrapServers = cluster.bootstrapServers();
        String topic = KafkaTestUtils.uniqueTopic("readme");
        cluster.createTopic(topic, 3, 2);

        // tag::producer[]
        Producer<String, CustomMessage> producer = Producers.create(DeliveryGuarantee.AT_LEAST_ONCE,
                Map.of("bootstrap.servers", bootstrapServers),
                new StringSerializer(), CustomMessage.serde().serializer());
        SendTracker tracker = new SendTracker();
        for (int i = 0; i < 100; i++) {
            String user = String.valueOf(i % 10);
            tracker.send(producer, new ProducerRecord<>(topic, user, new CustomMessage(user, "message " + i)));
        }
        Producers.flush(producer, Duration.ofSeconds(30));
        SendSummary summary = tracker.await(Duration.ofSeconds(30)); // 100 sent, 100 acknowledged, 0 failed
        Producers.close(producer, Duration.ofSeconds(30));
        // end::producer[]

        assertThat(summary).hasToString("100 sent, 100 acknowledged, 0 failed");
        assertThat(KafkaTestUtils.consume(cluster, topic, 100, Duration.ofSeconds(30), new StringDeserializer(),
                new CustomMessageDeserializer())).extracting(r -> r.value().value()).doesNotHaveDuplicates()
                .hasSize(100);
    }
}
