package io.kafkalab.consumer;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Decides when the runner commits. Whatever it decides, the runner commits only offsets of records the
 * handler has finished (next offset = last processed + 1, per partition), never moves a committed offset
 * backwards, commits synchronously what was processed for partitions being revoked, nothing for partitions
 * lost, and everything processed on close. So at-least-once holds under every policy; the policy only
 * trades commit cost against how many records a crash re-delivers.
 *
 * <p>A policy is asked after each record (single runner) or batch (batch runner), with
 * {@link CommitState#endOfPoll()} false, and after each poll, empty ones included, with it true. With
 * concurrency (see {@link ConsumerRunner.Builder#concurrency(int)}) it is asked each time the poll thread collects
 * completed records, and after each poll. It is called on the runner's poll thread only.
 *
 * <p>The kinds are closed: {@link Periodic} (the runner commits by count, time or end of poll: every built-in
 * policy but two), {@link Manual} (the handler acknowledges), {@link KafkaAutoCommit} (Kafka's consumer commits) and
 * {@link Custom} (a rule of yours over {@link CommitState}, made with {@link #when(String, java.util.function.Predicate)}).
 * The runner tells them apart by type, and evaluates a {@code Periodic} policy without allocating.
 */
public sealed interface CommitPolicy
        permits CommitPolicy.Periodic, CommitPolicy.Manual, CommitPolicy.KafkaAutoCommit, CommitPolicy.Custom {

    /**
     * @param state what happened since the last commit
     * @return whether to commit now
     */
    boolean shouldCommit(CommitState state);

    /** @return whether only acknowledged records may be committed (the {@link Manual} kind) */
    default boolean commitsOnlyAcknowledged() {
        return this instanceof Manual;
    }

    /**
     * @return the auto-commit interval when Kafka's own auto-commit does the committing (the {@link KafkaAutoCommit}
     *     kind), otherwise null
     */
    default Duration autoCommitInterval() {
        return this instanceof KafkaAutoCommit k ? k.interval() : null;
    }

    /** Commits after every record: at most the record being handled is re-delivered after a crash, at the cost of one commit per record. */
    static CommitPolicy afterEachRecord() {
        return new Periodic("afterEachRecord", 1, null, false);
    }

    /**
     * Commits every {@code records} processed records, the lab's batch consumer with 10: after 25 processed,
     * 20 are committed; on close, 25. A crash re-delivers fewer than {@code records} (plus a batch).
     *
     * @param records how many, at least 1
     */
    static CommitPolicy everyRecords(int records) {
        positive(records, "records");
        return new Periodic("everyRecords(" + records + ")", records, null, false);
    }

    /** Commits once every record of a poll is processed: one commit per poll; a crash re-delivers at most one poll. */
    static CommitPolicy afterEachPoll() {
        return new Periodic("afterEachPoll", 0, null, true);
    }

    /**
     * Commits when {@code interval} has passed since the last commit (checked after every record and every
     * poll, so at most about one poll timeout late). A crash re-delivers what was processed in the interval.
     *
     * @param interval at least 1 ms
     */
    static CommitPolicy interval(Duration interval) {
        positive(interval, "interval");
        return new Periodic("interval(" + interval + ")", 0, interval, false);
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
        return new Periodic("everyRecordsOrInterval(" + records + ", " + interval + ")", records, interval, false);
    }

    /**
     * The handler decides: use an {@link AcknowledgingRecordHandler} or {@link AcknowledgingBatchHandler} and
     * call {@link Acknowledgment#acknowledge()}; only acknowledged records are committed, on acknowledgment,
     * revocation and close. Records processed but never acknowledged are re-delivered after a restart.
     * Sequentially (the default) an acknowledgment covers every record handled before it; with concurrency it
     * completes its own record or batch, and may come later, from any thread.
     */
    static CommitPolicy manual() {
        return new Manual();
    }

    /**
     * Kafka's own auto-commit ({@code enable.auto.commit=true}): the consumer commits, inside {@code poll()},
     * the positions reached by the previous poll, every {@code interval}. Cheapest, and still at-least-once
     * here because the runner processes every record of a poll before polling again, and rewinds to the
     * first unprocessed record before closing. The trade-offs: commit failures are only logged by Kafka (the
     * runner cannot count them), a crash re-delivers up to {@code interval} of records, and commits happen
     * only inside {@code poll()}, so a slow handler delays them. Not with concurrency (records of a poll are
     * then still in flight at the next poll).
     *
     * @param interval at least 1 ms
     */
    static CommitPolicy kafkaAutoCommit(Duration interval) {
        positive(interval, "interval");
        return new KafkaAutoCommit(interval);
    }

    /**
     * A rule of your own, for what the built-in ones do not cover.
     *
     * @param name for logs
     * @param rule asked as {@link #shouldCommit(CommitState)} is; must be cheap and must not block
     * @return the policy
     */
    static CommitPolicy when(String name, Predicate<CommitState> rule) {
        return new Custom(name, rule);
    }

    /**
     * The runner commits after {@code records} processed records (0: not by count), after {@code interval}
     * (null: not by time), or at the end of a poll ({@code atEndOfPoll}), whichever comes first, and only when
     * something was processed since the last commit.
     *
     * @param name        for logs
     * @param records     count threshold, 0 for none
     * @param interval    time threshold, or null
     * @param atEndOfPoll whether the end of a poll commits
     */
    record Periodic(String name, int records, Duration interval, boolean atEndOfPoll) implements CommitPolicy {
        /** Checks the values. */
        public Periodic {
            Objects.requireNonNull(name, "name");
            if (records < 0) {
                throw new IllegalArgumentException("records must be >= 0, but was " + records);
            }
        }

        @Override
        public boolean shouldCommit(CommitState s) {
            long n = s.processedSinceCommit();
            return n > 0 && (records > 0 && n >= records
                    || interval != null && s.sinceLastCommit().compareTo(interval) >= 0
                    || atEndOfPoll && s.endOfPoll());
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** The handler acknowledges; see {@link #manual()}. */
    record Manual() implements CommitPolicy {
        @Override
        public boolean shouldCommit(CommitState state) {
            return state.acknowledged();
        }

        @Override
        public String toString() {
            return "manual";
        }
    }

    /**
     * Kafka's consumer commits; see {@link #kafkaAutoCommit(Duration)}.
     *
     * @param interval {@code auto.commit.interval.ms}
     */
    record KafkaAutoCommit(Duration interval) implements CommitPolicy {
        /** Checks the interval. */
        public KafkaAutoCommit {
            positive(interval, "interval");
        }

        @Override
        public boolean shouldCommit(CommitState state) {
            return false;
        }

        @Override
        public String toString() {
            return "kafkaAutoCommit(" + interval + ")";
        }
    }

    /**
     * A rule of your own; see {@link #when(String, Predicate)}.
     *
     * @param name for logs
     * @param rule the rule
     */
    record Custom(String name, Predicate<CommitState> rule) implements CommitPolicy {
        /** Checks for nulls. */
        public Custom {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(rule, "rule");
        }

        @Override
        public boolean shouldCommit(CommitState state) {
            return rule.test(state);
        }

        @Override
        public String toString() {
            return name;
        }
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
}
