package io.kafkalab.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkalab.consumer.CommitPolicy;
import io.kafkalab.consumer.ConsumerRunner;
import io.kafkalab.producer.DeliveryGuarantee;
import io.kafkalab.producer.Producers;
import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The segmenting example of docs/core-api.md, compiled and run. */
@KafkaTest(brokers = 3)
class ReadmeSegmentExampleIT {

    @Test
    void sendsALongMessageInSegmentsAndReadsItBackWhole(KafkaCluster cluster) throws Exception {
        String bootstrapServers = cluster.bootstrapServers();
        String topic = KafkaTestUtils.uniqueTopic("readme");
        String group = KafkaTestUtils.uniqueGroup("readme");
        cluster.createTopic(topic, 3, 2);
        String longText = "Длинное сообщение, разбитое на сегменты. ".repeat(200);
        List<String> messages = new CopyOnWriteArrayList<>();
        try (Producer<String, byte[]> producer = Producers.create(DeliveryGuarantee.AT_LEAST_ONCE,
                Map.of("bootstrap.servers", bootstrapServers), new StringSerializer(), new ByteArraySerializer())) {
            // tag::segments[]
            SegmentingProducer<String> segmenting = new SegmentingProducer<>(producer, 100);
            SegmentedSendResult sent = segmenting.sendText(topic, "user-1", longText).get(30, TimeUnit.SECONDS);

            ConsumerRunner<String, String> runner = ConsumerRunner
                    .builder(Map.of("bootstrap.servers", bootstrapServers, "group.id", group,
                                    "auto.offset.reset", "earliest"),
                            new StringDeserializer(), new StringDeserializer())
                    .topics(topic)
                    .reassemble(ReassemblyConfig.custom().maxBufferedBytes(64L * 1024 * 1024).build())
                    .commitPolicy(CommitPolicy.afterEachRecord())
                    .records(record -> messages.add(record.value()))
                    .start();
            // end::segments[]
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> messages.size() == 1);
                assertThat(messages).containsExactly(longText);
                assertThat(sent.segmentCount()).isGreaterThan(100);
            } finally {
                runner.close(Duration.ofSeconds(30));
            }
        }
    }
}
