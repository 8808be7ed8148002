package io.kafkalab.micrometer;

import io.kafkalab.consumer.ConsumerFactory;
import io.kafkalab.micrometer.internal.ClosingConsumer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.Consumer;

/**
 * A {@link ConsumerFactory} that binds Micrometer's {@link KafkaClientMetrics} (the Kafka consumer's own metrics,
 * {@code kafka.consumer.*}, tagged {@code client.id} and {@code kafka.version}) to every consumer it creates, and
 * closes that binding (its meters leave the registry, its refresh thread stops) when the runner closes the
 * consumer.
 *
 * <pre>{@code
 * ConsumerRunner.builder(config, keys, values)
 *         .consumerFactory(new MicrometerConsumerFactory(registry))
 *         ...
 * }</pre>
 *
 * <p>Note: a runner with {@link io.kafkalab.consumer.ConsumerRunner.Builder#retryTopics retry topics} creates the
 * missing stage topics only with the default factory ({@link ConsumerFactory#KAFKA}); with this one, create them
 * beforehand. Thread safe.
 */
public final class MicrometerConsumerFactory implements ConsumerFactory {

    private final MeterRegistry registry;
    private final ConsumerFactory delegate;
    private final Tags tags;

    /**
     * Creates Kafka's own consumer, as {@link ConsumerFactory#KAFKA} does.
     *
     * @param registry where the consumer's metrics go
     */
    public MicrometerConsumerFactory(MeterRegistry registry) {
        this(registry, ConsumerFactory.KAFKA, Tags.empty());
    }

    /**
     * @param registry where the consumer's metrics go
     * @param delegate creates the consumer
     * @param tags     extra tags on every meter of the consumer (for example the runner's name)
     */
    public MicrometerConsumerFactory(MeterRegistry registry, ConsumerFactory delegate, Iterable<Tag> tags) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
    }

    @Override
    public Consumer<byte[], byte[]> create(Map<String, Object> config) {
        Consumer<byte[], byte[]> consumer = delegate.create(config);
        KafkaClientMetrics metrics = new KafkaClientMetrics(consumer, tags);
        try {
            metrics.bindTo(registry);
        } catch (RuntimeException e) {
            metrics.close();
            consumer.close();
            throw e;
        }
        return ClosingConsumer.wrap(consumer, metrics);
    }
}
