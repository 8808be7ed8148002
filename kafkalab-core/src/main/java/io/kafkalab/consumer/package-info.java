/**
 * Consumer runners: {@link io.kafkalab.consumer.ConsumerRunner} runs a single-record or batch consumer loop
 * with a pluggable {@link io.kafkalab.consumer.CommitPolicy} (when to commit) and
 * {@link io.kafkalab.consumer.ErrorPolicy} (what to do with poison pills and handler failures: retry, skip,
 * dead-letter, stop), and reports what it does through {@link io.kafkalab.consumer.ConsumerRunnerListener}
 * and {@link io.kafkalab.consumer.RunnerMetrics}. Sequential by default; with
 * {@link io.kafkalab.consumer.ConsumerRunner.Builder#concurrency(int)} handlers run on a pool, ordered by
 * {@link io.kafkalab.consumer.Ordering} (partition, key or none), and commits never pass an incomplete record. With
 * {@link io.kafkalab.consumer.ConsumerRunner.Builder#processing} a {@link io.kafkalab.consumer.ProcessingHandler}
 * consumes, processes and produces exactly once: its {@link io.kafkalab.consumer.Output} and the consumed offsets
 * commit in one transaction ({@link io.kafkalab.consumer.ExactlyOnce} holds the producer side). The
 * engine itself lives in {@code io.kafkalab.consumer.internal}.
 *
 * <p>Parameters and return values are non-null unless their Javadoc says otherwise.
 */
package io.kafkalab.consumer;
