/**
 * Micrometer meters for kafkalab, kept out of {@code kafkalab-core}:
 * {@link io.kafkalab.micrometer.ConsumerRunnerMetrics} binds a consumer runner's counters, gauges and lag per
 * partition, {@link io.kafkalab.micrometer.TimedHandlers} times its handler, and
 * {@link io.kafkalab.micrometer.SendTrackerMetrics} binds a producer's
 * {@link io.kafkalab.producer.SendTracker}; {@link io.kafkalab.micrometer.MicrometerConsumerFactory} binds
 * Micrometer's {@code KafkaClientMetrics} to the consumer a runner creates. Every meter is listed in
 * {@code docs/metrics.md}. Implementation details live in {@code io.kafkalab.micrometer.internal}.
 *
 * <p>Parameters and return values are non-null unless their Javadoc says otherwise.
 */
package io.kafkalab.micrometer;
