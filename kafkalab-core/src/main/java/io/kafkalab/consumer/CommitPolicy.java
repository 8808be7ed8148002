package io.kafkalab.consumer;

import java.time.Duration;
import java.util.Objects;

/**
 * Decides when the runner commits. Whatever it decides, the runner commits only offsets of records the
 * handler has finished (next offset = last processed + 1, per partition), never moves a committed offset
 * backwards, commits synchronously what was processed for partitions being revoked, nothing for partitions
 * lost, and everything processed on close. So at-least-once holds under every policy; the policy only
 * trades commit cost against how many records a crash re-delivers.
 *
 * <p>A policy is asked after each record (single runner) or batch (batch runner), with
 * {@link CommitState#endOfPoll()} false, and after each poll, empty ones included, with it true.
 * Implementations must be cheap and must not block; they are called on the runner's thread only.
 */
@FunctionalInterface
public interface CommitPolicy {

    /**
     * @param state what happened since the last commit
     * @return whether to commit now
     */
    boolean shouldCommit(CommitState state);

    /** @return whether only acknowledged records may be committed ({@link #manual()}) */
    default boolean commitsOnlyAcknowledged() {
        return false;
    }

    /**
     * @return the auto-commit interval when Kafka's own auto-commit does the committing
     *     ({@link #kafkaAutoCommit(Duration)}), otherwise null
     */
    default Duration autoCommitInterval() {
        return null;
    }

    /** Commits after every record: at most the record being handled is re-delivered after a crash, at the cost of one commit per record. */
    static CommitPolicy afterEachRecord() {
        return new Named("afterEachRecord", s -> s.processedSinceCommit() > 0);
    }

    /**
     * Commits every {@code records} processed records, the lab's batch consumer with 10: after 25 processed,
     * 20 are committed; on close, 25. A crash re-delivers fewer than {@code records} (plus a batch).
     *
     * @param records how many, at least 1
     */
    static CommitPolicy everyRecords(int records) {
        positive(records, "records");
        return new Named("everyRecords(" + records + ")", s -> s.processedSinceCommit() >= records);
    }

    /** Commits once every record of a poll is processed: one commit per poll; a crash re-delivers at most one poll. */
    static CommitPolicy afterEachPoll() {
        return new Named("afterEachPoll", s -> s.endOfPoll() && s.processedSinceCommit() > 0);
    }

    /**
     * Commits when {@code interval} has passed since the last commit (checked after every record and every
     * poll, so at most about one poll timeout late). A crash re-delivers what was processed in the interval.
     *
     * @param interval at least 1 ms
     */
    static CommitPolicy interval(Duration interval) {
        positive(interval, "interval");
        return new Named("interval(" + interval + ")", s -> s.processedSinceCommit() > 0
                && s.sinceLastCommit().compareTo(interval) >= 0);
    }

    /**
     * Commits every {@code records} records or after {@code interval}, whichever comes first.
     *
     * @param records  at least 1
     * @param interval at least 1 ms
     */
    static CommitPolicy everyRecordsOrInterval(int records, Duration interval) {
        positive(records, "records");
        positive(interval, "interval");
        return new Named("everyRecordsOrInterval(" + records + ", " + interval + ")",
                s -> s.processedSinceCommit() >= records
                        || (s.processedSinceCommit() > 0 && s.sinceLastCommit().compareTo(interval) >= 0));
    }

    /**
     * The handler decides: use an {@link AcknowledgingRecordHandler} or {@link AcknowledgingBatchHandler} and
     * call {@link Acknowledgment#acknowledge()}; only acknowledged records are committed, on acknowledgment,
     * revocation and close. Records processed but never acknowledged are re-delivered after a restart.
     */
    static CommitPolicy manual() {
        return new Named("manual", CommitState::acknowledged) {
            @Override
            public boolean commitsOnlyAcknowledged() {
                return true;
            }
        };
    }

    /**
     * Kafka's own auto-commit ({@code enable.auto.commit=true}): the consumer commits, inside {@code poll()},
     * the positions reached by the previous poll, every {@code interval}. Cheapest, and still at-least-once
     * here because the runner processes every record of a poll before polling again, and rewinds to the
     * first unprocessed record before closing. The trade-offs: commit failures are only logged by Kafka (the
     * runner cannot count them), a crash re-delivers up to {@code interval} of records, and commits happen
     * only inside {@code poll()}, so a slow handler delays them.
     *
     * @param interval {@code auto.commit.interval.ms}, at least 1 ms
     */
    static CommitPolicy kafkaAutoCommit(Duration interval) {
        positive(interval, "interval");
        return new Named("kafkaAutoCommit(" + interval + ")", s -> false) {
            @Override
            public Duration autoCommitInterval() {
                return interval;
            }
        };
    }

    private static void positive(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, but was " + value);
        }
    }

    private static void positive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.toMillis() < 1) {
            throw new IllegalArgumentException(name + " must be >= 1 ms, but was " + value);
        }
    }

    /** A built-in policy with a readable name for logs. */
    class Named implements CommitPolicy {
        private final String name;
        private final CommitPolicy rule;

        Named(String name, CommitPolicy rule) {
            this.name = name;
            this.rule = rule;
        }

        @Override
        public boolean shouldCommit(CommitState state) {
            return rule.shouldCommit(state);
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
