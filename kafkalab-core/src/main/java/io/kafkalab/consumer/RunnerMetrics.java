package io.kafkalab.consumer;

import io.kafkalab.segment.ReassemblyStats;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * A snapshot of what a {@link ConsumerRunner} has done since it started.
 *
 * @param recordsProcessed        records the handler finished (skipped and dead-lettered ones not included)
 * @param batchesProcessed        handler invocations that finished (one per record for a single runner)
 * @param commits                 successful commits
 * @param commitFailures          failed commits
 * @param retries                 handler retries
 * @param skipped                 records skipped by the error policy
 * @param deadLettered            records published to a dead-letter topic
 * @param deserializationFailures poison pills met (each also counted by its outcome)
 * @param stopped                 1 when the error policy stopped the runner
 * @param lastCommitted           per partition, the last committed offset (the next offset to read)
 * @param lag                     per assigned partition, records behind the end of the log, as of the last poll
 * @param alreadyDelivered        reassembled messages not delivered again after a restart, because the delivered
 *                                watermark in the group's commit shows they were
 * @param reassembly              the reassembler's counters, or null when the runner does not reassemble
 * @param alreadyCompleted        records not handled again after a restart, because the group's commit metadata
 *                                records them as completed above the committed offset (concurrent runners)
 * @param inFlight                records handed out and not yet complete, as of the last poll
 * @param pauses                  times the runner paused partitions for back-pressure (in-flight bound, byte
 *                                bound or commit-metadata budget)
 * @param awaitingRetry           records (or batches) waiting for a retry that is not due yet, as of the last
 *                                poll: sequentially one per held partition, concurrently one per held key or
 *                                partition lane
 * @param transactionsCommitted   transactions committed by an exactly-once runner (see
 *                                {@link ConsumerRunner.Builder#processing}); 0 for the others. Each also counts
 *                                as a commit
 * @param transactionsAborted     transactions aborted by an exactly-once runner: on a handler failure, or a commit
 *                                that failed (also counted in {@code commitFailures}). Records handled in an aborted
 *                                transaction are handled again, and counted again in {@code recordsProcessed}
 * @param denied                  1 when the runner stopped because the cluster refused it what it needs: its topic
 *                                or group (READ, DESCRIBE), or the dead-letter or retry topic it writes to (see
 *                                {@link io.kafkalab.NotAuthorizedException}); such a stop is never retried
 */
public record RunnerMetrics(long recordsProcessed, long batchesProcessed, long commits, long commitFailures,
                            long retries, long skipped, long deadLettered, long deserializationFailures,
                            long stopped, Map<TopicPartition, Long> lastCommitted, Map<TopicPartition, Long> lag,
                            long alreadyDelivered, ReassemblyStats reassembly, long alreadyCompleted,
                            long inFlight, long pauses, long awaitingRetry, long transactionsCommitted,
                            long transactionsAborted, long denied) {

    /** Copies the maps. */
    public RunnerMetrics {
        lastCommitted = Map.copyOf(lastCommitted);
        lag = Map.copyOf(lag);
    }
}
