package io.kafkalab.testkit.readme;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** The testkit example of docs/testkit.md, compiled and run; the block there must equal the tagged region. */
// tag::junit[]
@KafkaTest(brokers = 3)
class OrdersIT {

    @Test
    void deliversEveryOrderWhileABrokerIsDown(KafkaCluster cluster) {
        String topic = KafkaTestUtils.uniqueTopic("orders");
        cluster.createTopic(topic, 3, 2);

        cluster.stopBroker(1);
        KafkaTestUtils.produce(cluster, topic, 100,
                i -> new ProducerRecord<>(topic, "user-" + i % 10, "order-" + i));
        cluster.startBroker(1);

        // every order once: distinct values, so a duplicate cannot hide a loss
        assertThat(KafkaTestUtils.consume(cluster, topic, 100, Duration.ofSeconds(30)))
                .extracting(ConsumerRecord::value).doesNotHaveDuplicates().hasSize(100);
        assertThat(cluster.awaitFullyReplicated(topic).fullyReplicated()).isTrue();
    }
}
// end::junit[]
