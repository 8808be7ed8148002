package io.kafkalab.examples;

import java.time.Duration;
import io.kafkalab.consumer.ConsumerRunner;
import picocli.CommandLine.Option;

/** {@code --max-messages} and {@code --idle-timeout}, shared by the consumer apps. */
final class StopOptions {

    @Option(names = "--max-messages", description = "Stop after exactly this many messages: handled and committed.")
    Long maxMessages;

    @Option(names = "--idle-timeout", converter = DurationConverter.class,
            description = "Stop when no message came for this long, for example 10s.")
    Duration idleTimeout;

    /** @return conditions that call {@code stop} when the idle timeout passes */
    StopConditions conditions(Runnable stop) {
        return new StopConditions(idleTimeout, stop);
    }

    /**
     * The runner itself stops after exactly {@code --max-messages}: the last batch is cut there, and what was not
     * handled is not committed.
     */
    <K, V> ConsumerRunner.Builder<K, V> limit(ConsumerRunner.Builder<K, V> builder) {
        return maxMessages == null ? builder : builder.maxRecords(maxMessages);
    }
}
