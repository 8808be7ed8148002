package io.kafkalab.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;

/** Runs an action that must fail, and fail well within a bound: "refused at once", not "gave up after a timeout". */
final class FailFast {

    /** An action that may throw anything. */
    interface Action {
        void run() throws Exception;
    }

    private FailFast() {
    }

    /** Runs the action, which must throw, within {@code bound}; returns what it threw. */
    static Throwable failsFast(Duration bound, Action action) {
        long begin = System.nanoTime();
        Throwable thrown = catchThrowable(action::run);
        Duration took = Duration.ofNanos(System.nanoTime() - begin);
        assertThat(thrown).as("the client must fail").isNotNull();
        assertThat(took).as("failing took %s: %s", took, thrown).isLessThan(bound);
        return thrown;
    }
}
