package io.kafkalab.micrometer;

import io.kafkalab.consumer.BatchHandler;
import io.kafkalab.consumer.RecordHandler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Objects;

/**
 * Wraps a runner's handler in a {@link Timer} {@code kafkalab.handler}, tagged {@code runner}, {@code result}
 * ({@code success} or {@code failure}) and {@code exception} (the simple class name of what the handler threw, or
 * {@code none}). The handler's exception is rethrown unchanged, so the runner's error policy sees exactly what it
 * would see without the timer. A retried record is timed once per attempt.
 *
 * <pre>{@code
 * ConsumerRunner<String, String> runner = builder.records(TimedHandlers.record(registry, "orders", handler));
 * }</pre>
 *
 * <p>The wrapper is as thread safe as the handler it wraps.
 */
public final class TimedHandlers {

    /** The timer's name. */
    public static final String TIMER = "kafkalab.handler";

    private TimedHandlers() {
    }

    /**
     * @param registry   where the timer goes
     * @param runnerName the {@code runner} tag, usually the runner's {@code name(...)}
     * @param handler    the handler to time
     * @param <K>        key type
     * @param <V>        value type
     * @return a handler that times each call of {@code handler}
     */
    public static <K, V> RecordHandler<K, V> record(MeterRegistry registry, String runnerName,
                                                    RecordHandler<K, V> handler) {
        check(registry, runnerName);
        Objects.requireNonNull(handler, "handler");
        return r -> timed(registry, runnerName, () -> handler.handle(r));
    }

    /**
     * @param registry   where the timer goes
     * @param runnerName the {@code runner} tag, usually the runner's {@code name(...)}
     * @param handler    the batch handler to time (one timing per batch)
     * @param <K>        key type
     * @param <V>        value type
     * @return a batch handler that times each call of {@code handler}
     */
    public static <K, V> BatchHandler<K, V> batch(MeterRegistry registry, String runnerName,
                                                  BatchHandler<K, V> handler) {
        check(registry, runnerName);
        Objects.requireNonNull(handler, "handler");
        return records -> timed(registry, runnerName, () -> handler.handle(records));
    }

    private static void check(MeterRegistry registry, String runnerName) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(runnerName, "runnerName");
    }

    private interface Call {
        void run() throws Exception;
    }

    private static void timed(MeterRegistry registry, String runnerName, Call call) throws Exception {
        Timer.Sample sample = Timer.start(registry);
        String exception = "none";
        try {
            call.run();
        } catch (Exception | Error e) {
            exception = e.getClass().getSimpleName();
            throw e;
        } finally {
            sample.stop(Timer.builder(TIMER).description("handler calls, by result and exception class")
                    .tags("runner", runnerName, "result", exception.equals("none") ? "success" : "failure",
                            "exception", exception)
                    .register(registry));
        }
    }
}
