package io.kafkalab.examples;

import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --max-messages} and {@code --idle-timeout}, shared by the consumer apps. */
final class StopOptions {

    @Option(names = "--max-messages", description = "Stop after this many messages.")
    Long maxMessages;

    @Option(names = "--idle-timeout", converter = DurationConverter.class,
            description = "Stop when no message came for this long, for example 10s.")
    Duration idleTimeout;

    /** @return conditions that call {@code stop} once either is met */
    StopConditions conditions(Runnable stop) {
        return new StopConditions(maxMessages, idleTimeout, stop);
    }
}
