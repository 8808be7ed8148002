package io.kafkalab.consumer;

import java.time.Duration;

/**
 * What a {@link CommitPolicy} sees when the runner asks whether to commit: after every record (single
 * runner) or batch (batch runner), and after every poll, empty ones included.
 *
 * @param processedSinceCommit records processed since the last commit
 * @param sinceLastCommit      time since the last commit (or the start), by the runner's clock
 * @param endOfPoll            whether every record of the last poll has been processed
 * @param acknowledged         whether the handler acknowledged the record or batch it just handled
 */
public record CommitState(long processedSinceCommit, Duration sinceLastCommit, boolean endOfPoll,
                          boolean acknowledged) {
}
