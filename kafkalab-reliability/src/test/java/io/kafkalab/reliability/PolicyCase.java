package io.kafkalab.reliability;

import io.kafkalab.consumer.CommitMode;
import io.kafkalab.consumer.CommitPolicy;
import io.kafkalab.consumer.ConsumerRunner;
import io.kafkalab.consumer.ConsumerRunnerListener;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Every commit policy of the runner, with SYNC and ASYNC and both handler shapes spread over them, and the
 * number of duplicates each may cause when its runner is killed: the bound the suite asserts.
 */
enum PolicyCase {
    AFTER_EACH_RECORD_SYNC(CommitPolicy.afterEachRecord(), CommitMode.SYNC, Handler.RECORDS),
    AFTER_EACH_RECORD_ASYNC(CommitPolicy.afterEachRecord(), CommitMode.ASYNC, Handler.RECORDS),
    EVERY_RECORDS_SYNC(CommitPolicy.everyRecords(PolicyCase.EVERY), CommitMode.SYNC, Handler.RECORDS),
    EVERY_RECORDS_ASYNC_BATCHES(CommitPolicy.everyRecords(PolicyCase.EVERY), CommitMode.ASYNC, Handler.BATCHES),
    AFTER_EACH_POLL_SYNC_BATCHES(CommitPolicy.afterEachPoll(), CommitMode.SYNC, Handler.BATCHES),
    AFTER_EACH_POLL_ASYNC(CommitPolicy.afterEachPoll(), CommitMode.ASYNC, Handler.RECORDS),
    INTERVAL_SYNC_BATCHES(CommitPolicy.interval(Duration.ofMillis(PolicyCase.INTERVAL_MS)), CommitMode.SYNC, Handler.BATCHES),
    RECORDS_OR_INTERVAL_ASYNC(CommitPolicy.everyRecordsOrInterval(PolicyCase.EVERY,
            Duration.ofMillis(PolicyCase.INTERVAL_MS)),
            CommitMode.ASYNC, Handler.RECORDS),
    MANUAL(CommitPolicy.manual(), CommitMode.SYNC, Handler.ACKNOWLEDGING_RECORDS),
    KAFKA_AUTO_COMMIT_BATCHES(CommitPolicy.kafkaAutoCommit(Duration.ofMillis(PolicyCase.INTERVAL_MS)), CommitMode.SYNC, Handler.BATCHES);

    /** {@code everyRecords(EVERY)}. */
    static final int EVERY = 100;
    /** Records per batch for batch handlers. */
    static final int BATCH = 20;
    /** {@code max.poll.records}: one poll's worth is the bound of the per-poll policies. */
    static final int MAX_POLL = 100;
    /** The manual handler acknowledges every this many records. */
    static final int ACK_EVERY = 10;
    /** The interval of the time-based policies. */
    static final long INTERVAL_MS = 300;
    /** Timer granularity and thread hand-off, added to a time window measured from the child's timestamps. */
    static final Duration SLACK = Duration.ofMillis(50);

    enum Handler { RECORDS, BATCHES, ACKNOWLEDGING_RECORDS }

    /** Receives each record the handler processes; may block. */
    @FunctionalInterface
    interface Sink {
        void accept(ConsumerRecord<String, String> record) throws Exception;
    }

    final CommitPolicy policy;
    final CommitMode mode;
    final Handler handler;

    PolicyCase(CommitPolicy policy, CommitMode mode, Handler handler) {
        this.policy = policy;
        this.mode = mode;
        this.handler = handler;
    }

    /** @return for the table, such as {@code everyRecords(100) ASYNC, batches(20)} */
    String label() {
        String how = switch (handler) {
            case RECORDS -> "records";
            case BATCHES -> "batches(" + BATCH + ")";
            case ACKNOWLEDGING_RECORDS -> "acknowledgingRecords, ack every " + ACK_EVERY;
        };
        return policy + (policy.autoCommitInterval() == null ? " " + mode : "") + ", " + how;
    }

    /** @return the crash bound as text, for the table */
    String crashBoundText() {
        return mode == CommitMode.ASYNC && policy.autoCommitInterval() == null
                ? "max(" + syncCrashBoundText() + ", processed past the last completed commit)"
                : syncCrashBoundText();
    }

    private String syncCrashBoundText() {
        return switch (this) {
            case AFTER_EACH_RECORD_SYNC, AFTER_EACH_RECORD_ASYNC -> "1";
            case EVERY_RECORDS_SYNC -> String.valueOf(EVERY);
            case EVERY_RECORDS_ASYNC_BATCHES -> "n - 1 + batch = " + (EVERY - 1 + BATCH);
            case AFTER_EACH_POLL_SYNC_BATCHES, AFTER_EACH_POLL_ASYNC -> "1 poll = " + MAX_POLL;
            case INTERVAL_SYNC_BATCHES -> "processed in last " + INTERVAL_MS + " ms + batch";
            case RECORDS_OR_INTERVAL_ASYNC -> "min(" + EVERY + ", processed in last " + INTERVAL_MS + " ms + 1)";
            case MANUAL -> String.valueOf(ACK_EVERY);
            case KAFKA_AUTO_COMMIT_BATCHES -> "processed in last " + INTERVAL_MS + " ms + 1 poll";
        };
    }

    /** @return the bound of a phase without a crash (rebalances, broker restart), as text */
    String rebalanceBoundText() {
        return policy.commitsOnlyAcknowledged()
                ? (ACK_EVERY - 1) + " unacknowledged per revocation; else 0 unless partitions are lost"
                : "0 unless partitions are lost";
    }

    /** @return the count-based crash bound, or -1 for the time-based policies */
    long fixedCrashBound() {
        return switch (this) {
            case AFTER_EACH_RECORD_SYNC, AFTER_EACH_RECORD_ASYNC -> 1;
            case EVERY_RECORDS_SYNC -> EVERY;
            case EVERY_RECORDS_ASYNC_BATCHES -> EVERY - 1 + BATCH;
            case AFTER_EACH_POLL_SYNC_BATCHES, AFTER_EACH_POLL_ASYNC -> MAX_POLL;
            case MANUAL -> ACK_EVERY;
            case INTERVAL_SYNC_BATCHES, RECORDS_OR_INTERVAL_ASYNC, KAFKA_AUTO_COMMIT_BATCHES -> -1;
        };
    }

    /**
     * How many processed records a kill may leave uncommitted. With ASYNC, the commits the runner sent but the
     * broker had not completed are lost too: each is a replicated write to {@code __consumer_offsets}, and a
     * runner that commits after every record sends them faster than one connection completes them, so the
     * backlog (records processed past the last commit whose completion the runner saw) is the bound then.
     *
     * @param processedAtMillis when the killed runner processed each record (wall clock of the same machine)
     * @param blockedAtMillis   when it blocked, right before the kill
     * @param asyncBacklog      records processed past the last commit the runner saw completed
     * @return the bound
     */
    long crashBound(List<Long> processedAtMillis, long blockedAtMillis, long asyncBacklog) {
        long window = processedAtMillis.stream()
                .filter(t -> t >= blockedAtMillis - INTERVAL_MS - SLACK.toMillis()).count();
        long bound = switch (this) {
            case INTERVAL_SYNC_BATCHES -> window + BATCH;
            case RECORDS_OR_INTERVAL_ASYNC -> Math.min(EVERY, window + 1);
            case KAFKA_AUTO_COMMIT_BATCHES -> window + MAX_POLL;
            default -> fixedCrashBound();
        };
        return mode == CommitMode.ASYNC && policy.autoCommitInterval() == null ? Math.max(bound, asyncBacklog) : bound;
    }

    /**
     * Builds (does not start) a runner of this case.
     *
     * @param bootstrapServers the cluster
     * @param topic            the topic
     * @param group            the consumer group
     * @param instanceId       {@code group.instance.id} (static membership), or null for a dynamic member
     * @param sink             gets every record the handler processes, before the handler returns
     * @param listener         the runner's listener
     */
    ConsumerRunner<String, String> runner(String bootstrapServers, String topic, String group, String instanceId,
                                          Sink sink, ConsumerRunnerListener listener) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, MAX_POLL);
        if (instanceId != null) {
            // a restarted runner with the same instance id takes the killed one's place at once, instead of
            // waiting for its session to expire
            config.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId);
        }
        ConsumerRunner.Builder<String, String> b = ConsumerRunner.builder(config, new StringDeserializer(),
                        new StringDeserializer())
                .topics(topic).commitPolicy(policy).commitMode(mode).listener(listener);
        return switch (handler) {
            case RECORDS -> b.records(sink::accept);
            case BATCHES -> b.batches(BATCH, batch -> {
                for (ConsumerRecord<String, String> r : batch) {
                    sink.accept(r);
                }
            });
            case ACKNOWLEDGING_RECORDS -> {
                int[] count = {0};
                yield b.acknowledgingRecords((r, ack) -> {
                    sink.accept(r);
                    if (++count[0] % ACK_EVERY == 0) {
                        ack.acknowledge();
                    }
                });
            }
        };
    }
}
