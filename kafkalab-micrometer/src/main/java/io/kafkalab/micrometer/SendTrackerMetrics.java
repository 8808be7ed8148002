package io.kafkalab.micrometer;

import io.kafkalab.producer.SendTracker;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;

/**
 * Binds a {@link SendTracker} to a {@link MeterRegistry}: function counters {@code kafkalab.producer.sent},
 * {@code kafkalab.producer.acknowledged} and {@code kafkalab.producer.failed}, and a gauge
 * {@code kafkalab.producer.pending} (sent, neither acknowledged nor failed yet), all tagged {@code name}.
 * Each meter reads {@link SendTracker#summary()}, which takes no lock.
 *
 * <pre>{@code
 * new SendTrackerMetrics(tracker, "orders-producer").bindTo(registry);
 * }</pre>
 *
 * <p>Thread safe.
 */
public final class SendTrackerMetrics implements MeterBinder {

    private final SendTracker tracker;
    private final String name;

    /**
     * @param tracker the tracker
     * @param name    the {@code name} tag, telling trackers apart
     */
    public SendTrackerMetrics(SendTracker tracker, String name) {
        this.tracker = Objects.requireNonNull(tracker, "tracker");
        this.name = Objects.requireNonNull(name, "name");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        FunctionCounter.builder("kafkalab.producer.sent", tracker, t -> t.summary().sent()).tag("name", name)
                .baseUnit("records").description("records sent through the tracker").register(registry);
        FunctionCounter.builder("kafkalab.producer.acknowledged", tracker, t -> t.summary().acknowledged())
                .tag("name", name).baseUnit("records").description("records the broker acknowledged")
                .register(registry);
        FunctionCounter.builder("kafkalab.producer.failed", tracker, t -> t.summary().failed()).tag("name", name)
                .baseUnit("records").description("records whose send failed").register(registry);
        Gauge.builder("kafkalab.producer.pending", tracker, t -> t.summary().pending()).tag("name", name)
                .baseUnit("records").description("records sent without an outcome yet").register(registry);
    }
}
