/**
 * Benchmarks of kafkalab beside its baselines, run side by side: JMH for serdes and segmenting; run with
 * {@link io.kafkalab.bench.Benchmarks}.
 *
 * <p>Parameters and return values are non-null unless their Javadoc says otherwise.
 */
package io.kafkalab.bench;
