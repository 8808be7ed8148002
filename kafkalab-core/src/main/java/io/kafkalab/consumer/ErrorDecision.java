package io.kafkalab.consumer;

import java.time.Duration;
import java.util.Objects;

/**
 * What an {@link ErrorPolicy} decided for a {@link Failure}.
 *
 * @param outcome    what to do
 * @param retryDelay for {@link Outcome#RETRY}, how long to wait first; otherwise zero
 * @param cause      for {@link Outcome#STOP}, why (the failure's error, or the policy's own); may be null
 */
public record ErrorDecision(Outcome outcome, Duration retryDelay, Throwable cause) {

    /** The outcomes the runner knows. */
    public enum Outcome {
        /** Hand the same records to the handler again after a delay. Never for deserialization failures. */
        RETRY,
        /** Give up on the records: they count as processed (and are committed), logged and counted. */
        SKIP,
        /** The records were published to a dead-letter topic and acknowledged there: processed. */
        DEAD_LETTERED,
        /** Stop the runner without committing the failed records. */
        STOP
    }

    /** Validates. */
    public ErrorDecision {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(retryDelay, "retryDelay");
    }

    /** @return retry after {@code delay} */
    public static ErrorDecision retry(Duration delay) {
        return new ErrorDecision(Outcome.RETRY, delay, null);
    }

    /** @return skip the records */
    public static ErrorDecision skip() {
        return new ErrorDecision(Outcome.SKIP, Duration.ZERO, null);
    }

    /** @return the records were dead-lettered */
    public static ErrorDecision deadLettered() {
        return new ErrorDecision(Outcome.DEAD_LETTERED, Duration.ZERO, null);
    }

    /** @return stop the runner, for {@code cause} */
    public static ErrorDecision stop(Throwable cause) {
        return new ErrorDecision(Outcome.STOP, Duration.ZERO, cause);
    }
}
