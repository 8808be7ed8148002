package io.kafkalab.consumer;

import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Creates the Kafka consumer a {@link ConsumerRunner} uses; replace it to run the runner on Kafka's
 * {@link org.apache.kafka.clients.consumer.MockConsumer} in a unit test. The runner reads raw bytes: the consumer
 * must return {@code byte[]} keys and values.
 */
@FunctionalInterface
public interface ConsumerFactory {

    /** Kafka's own consumer. */
    ConsumerFactory KAFKA = config -> new KafkaConsumer<>(config, new ByteArrayDeserializer(),
            new ByteArrayDeserializer());

    /**
     * @param config the runner's consumer settings (with {@code enable.auto.commit} and {@code client.id} set)
     * @return a new consumer, which the runner closes
     */
    Consumer<byte[], byte[]> create(Map<String, Object> config);
}
