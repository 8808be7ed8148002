package io.kafkalab.reliability;

import io.kafkalab.consumer.CommitMode;
import io.kafkalab.consumer.CommitPolicy;
import io.kafkalab.consumer.ConsumerRunner;
import io.kafkalab.consumer.ConsumerRunnerListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Every commit policy of the runner, with SYNC and ASYNC and both handler shapes spread over them, and the
 * number of duplicates each may cause when its runner is killed: the bound the suite asserts. Each runner sees
 * time through a clock moved by the records it processes, so the time-based policies have count bounds too.
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
    /**
     * How far each runner's clock moves per record its handler takes: the runners see time through an injected
     * clock that advances only with the records they process, so a time-based policy commits after
     * {@code INTERVAL_MS / TICK_MS} records, on any machine, however loaded.
     */
    static final long TICK_MS = 10;

    enum Handler { RECORDS, BATCHES, ACKNOWLEDGING_RECORDS }

    /** Receives each record the handler processes; may block. */
    @FunctionalInterface
    interface Sink {
        void accept(ConsumerRecord<String, String> record) throws Exception;

        /**
         * Told when the records given so far are finished in the runner's sense, the only ones it may commit: a
         * record or batch handler call returned, or (manual) the handler acknowledged.
         */
        default void finished() {
        }
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

    /** Records per handler call: the unit a policy is asked after. */
    private int call() {
        return handler == Handler.BATCHES ? BATCH : 1;
    }

    /** Records of one interval on the runner's clock. */
    private static long intervalRecords() {
        return INTERVAL_MS / TICK_MS;
    }

    /** @return the crash bound as text, for the table */
    String crashBoundText() {
        return switch (this) {
            case AFTER_EACH_RECORD_SYNC, AFTER_EACH_RECORD_ASYNC -> "<= 1";
            case EVERY_RECORDS_SYNC -> "<= " + EVERY;
            case EVERY_RECORDS_ASYNC_BATCHES -> "<= n - 1 + batch = " + crashBound();
            case AFTER_EACH_POLL_SYNC_BATCHES, AFTER_EACH_POLL_ASYNC -> "<= 1 poll = " + MAX_POLL;
            case INTERVAL_SYNC_BATCHES -> "<= d / " + TICK_MS + " ms - 1 + batch = " + crashBound();
            case RECORDS_OR_INTERVAL_ASYNC -> "<= min(n, d / " + TICK_MS + " ms) = " + crashBound();
            case MANUAL -> "<= " + ACK_EVERY;
            case KAFKA_AUTO_COMMIT_BATCHES -> "< processed (Kafka's timer committed during the run)";
        } + "; nothing committed past a finished record";
    }

    /** @return the bound of a phase without a crash (rebalances, broker restart), as text */
    String rebalanceBoundText() {
        return policy.commitsOnlyAcknowledged()
                ? (ACK_EVERY - 1) + " unacknowledged per revocation; else 0 unless partitions are lost"
                : "0 unless partitions are lost";
    }

    /**
     * The most records a kill of this runner, blocked in its handler, may leave processed but uncommitted: what the
     * policy lets pile up between two commits plus the handler call in progress. The same for ASYNC once the
     * commits the runner sent have landed (the test waits for that before the kill: a commit still in flight when
     * the process dies adds its records to this).
     *
     * @return the bound, or -1 for {@code kafkaAutoCommit}, whose commits follow Kafka's own wall-clock timer
     */
    long crashBound() {
        return switch (this) {
            case AFTER_EACH_RECORD_SYNC, AFTER_EACH_RECORD_ASYNC -> 1;
            case EVERY_RECORDS_SYNC -> EVERY;
            case EVERY_RECORDS_ASYNC_BATCHES -> EVERY - 1 + BATCH;
            case AFTER_EACH_POLL_SYNC_BATCHES, AFTER_EACH_POLL_ASYNC -> MAX_POLL;
            // asked after each call; it commits once an interval of records has passed since the last commit
            case INTERVAL_SYNC_BATCHES -> intervalRecords() - 1 + call();
            case RECORDS_OR_INTERVAL_ASYNC -> Math.min(EVERY, intervalRecords() - 1 + call());
            case MANUAL -> ACK_EVERY;
            case KAFKA_AUTO_COMMIT_BATCHES -> -1;
        };
    }

    /**
     * How long the killed child's handler takes per record: only {@code kafkaAutoCommit}'s, so that its run spans
     * several of Kafka's (wall-clock) auto-commit intervals.
     */
    long pacingNanos() {
        return this == KAFKA_AUTO_COMMIT_BATCHES ? 2_000_000 : 0;
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
        AtomicLong ticks = new AtomicLong();
        Clock clock = new Clock() {
            private final Instant start = Instant.parse("2026-01-01T00:00:00Z");

            @Override
            public Instant instant() {
                return start.plusMillis(ticks.get() * TICK_MS);
            }

            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }
        };
        Sink ticking = r -> {
            ticks.incrementAndGet();
            sink.accept(r);
        };
        ConsumerRunner.Builder<String, String> b = ConsumerRunner.builder(config, new StringDeserializer(),
                        new StringDeserializer())
                .topics(topic).commitPolicy(policy).commitMode(mode).listener(listener).clock(clock);
        return switch (handler) {
            case RECORDS -> b.records(r -> {
                ticking.accept(r);
                sink.finished();
            });
            case BATCHES -> b.batches(BATCH, batch -> {
                for (ConsumerRecord<String, String> r : batch) {
                    ticking.accept(r);
                }
                sink.finished();
            });
            case ACKNOWLEDGING_RECORDS -> {
                int[] count = {0};
                yield b.acknowledgingRecords((r, ack) -> {
                    ticking.accept(r);
                    if (++count[0] % ACK_EVERY == 0) {
                        ack.acknowledge();
                        sink.finished();
                    }
                });
            }
        };
    }
}
