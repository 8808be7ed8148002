/**
 * The consumer runner's engine, not API: per-partition offset state ({@link io.kafkalab.consumer.internal.PartitionState}),
 * the commit-metadata codec, the intake strategies (plain records or reassembled segments), the dispatchers
 * (sequential on the poll thread, or concurrent with partition, key or no ordering), commits, counters and the run
 * state. Everything here may change in any release.
 *
 * <p>Parameters and return values are non-null unless their Javadoc says otherwise.
 */
package io.kafkalab.consumer.internal;
