package io.kafkalab.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkalab.consumer.ConsumerFactory;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.internals.AutoOffsetResetStrategy;
import org.junit.jupiter.api.Test;

class MicrometerConsumerFactoryTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private static Map<String, Object> config() {
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", "127.0.0.1:9"); // never connected: the test does not poll
        config.put("group.id", "g");
        config.put("client.id", "metered-1");
        return config;
    }

    @Test
    void kafkaConsumersMetricsAreInTheRegistryUntilTheConsumerCloses() {
        Consumer<byte[], byte[]> consumer = new MicrometerConsumerFactory(registry).create(config());
        assertThat(registry.find("kafka.consumer.fetch.manager.records.consumed.total").tag("client.id", "metered-1")
                .meters()).isNotEmpty();
        consumer.close();
        assertThat(registry.find("kafka.consumer.fetch.manager.records.consumed.total").meters()).isEmpty();
        assertThat(registry.getMeters()).isEmpty();
    }

    @Test
    void delegatesToTheGivenFactoryAndClosesItsConsumer() {
        MockConsumer<byte[], byte[]> mock = new MockConsumer<>(AutoOffsetResetStrategy.EARLIEST.name());
        ConsumerFactory delegate = config -> mock;
        Consumer<byte[], byte[]> consumer = new MicrometerConsumerFactory(registry, delegate, Tags.of("runner", "r"))
                .create(config());
        consumer.subscribe(java.util.List.of("t"));
        assertThat(mock.subscription()).containsExactly("t");
        consumer.close();
        assertThat(mock.closed()).isTrue();
    }
}
