package io.kafkalab.consumer.internal;

import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import io.kafkalab.consumer.RunnerMetrics;
import io.kafkalab.segment.ReassemblyStats;
import org.apache.kafka.common.TopicPartition;

/** A runner's counters; incremented from the poll thread and from handler threads. Thread safe. */
public final class Counters {
    final LongAdder recordsProcessed = new LongAdder();
    final LongAdder batchesProcessed = new LongAdder();
    final LongAdder commits = new LongAdder();
    final LongAdder commitFailures = new LongAdder();
    final LongAdder retries = new LongAdder();
    final LongAdder skipped = new LongAdder();
    final LongAdder deadLettered = new LongAdder();
    final LongAdder deserializationFailures = new LongAdder();
    final LongAdder stops = new LongAdder();
    final LongAdder alreadyDelivered = new LongAdder();
    final LongAdder alreadyCompleted = new LongAdder();
    final LongAdder pauses = new LongAdder();
    final LongAdder transactionsCommitted = new LongAdder();
    final LongAdder transactionsAborted = new LongAdder();
    final LongAdder denied = new LongAdder();
    volatile long inFlight;
    volatile long awaitingRetry;
    volatile Map<TopicPartition, Long> lastCommitted = Map.of();
    volatile Map<TopicPartition, Long> lag = Map.of();
    volatile ReassemblyStats reassembly;

    /** @return the metrics as of now */
    public RunnerMetrics snapshot() {
        return new RunnerMetrics(recordsProcessed.sum(), batchesProcessed.sum(), commits.sum(), commitFailures.sum(),
                retries.sum(), skipped.sum(), deadLettered.sum(), deserializationFailures.sum(), stops.sum(),
                lastCommitted, lag, alreadyDelivered.sum(), reassembly, alreadyCompleted.sum(), inFlight,
                pauses.sum(), awaitingRetry, transactionsCommitted.sum(), transactionsAborted.sum(), denied.sum());
    }

    /** Counts a stop because the cluster refused the runner its topic, group or output topic. */
    public void denied() {
        denied.increment();
    }

    /** @return records handled so far */
    public long recordsProcessed() {
        return recordsProcessed.sum();
    }
}
