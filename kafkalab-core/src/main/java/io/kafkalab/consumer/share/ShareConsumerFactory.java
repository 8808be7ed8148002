package io.kafkalab.consumer.share;

import java.util.Map;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Creates the share consumer a {@link ShareConsumerRunner} uses; replace it to run the runner on Kafka's
 * {@link org.apache.kafka.clients.consumer.MockShareConsumer} in a unit test. The runner reads raw bytes: the
 * consumer must return {@code byte[]} keys and values, and must be in explicit acknowledgement mode (the config the
 * runner passes says {@code share.acknowledgement.mode=explicit}).
 */
@FunctionalInterface
public interface ShareConsumerFactory {

    /** Kafka's own share consumer. */
    ShareConsumerFactory KAFKA = config -> new KafkaShareConsumer<>(config, new ByteArrayDeserializer(),
            new ByteArrayDeserializer());

    /**
     * @param config the runner's consumer settings (with {@code share.acknowledgement.mode} and {@code client.id} set)
     * @return a new share consumer, which the runner closes
     */
    ShareConsumer<byte[], byte[]> create(Map<String, Object> config);
}
