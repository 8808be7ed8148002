package io.kafkalab.consumer;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import io.kafkalab.consumer.internal.Control;
import io.kafkalab.consumer.internal.Engine;
import io.kafkalab.consumer.internal.RunState;
import io.kafkalab.consumer.internal.Transactions;
import io.kafkalab.segment.ReassemblyConfig;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import io.kafkalab.NotAuthorizedException;
import io.kafkalab.internal.Denials;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a Kafka consumer loop that gets the hard parts right: it commits only what the handler finished, when
 * the {@link CommitPolicy} says, never backwards and never past a record that is not complete; it commits
 * synchronously on revocation and close, and nothing for lost partitions; it routes poison pills and handler
 * failures to an {@link ErrorPolicy} instead of looping on them or dropping them; and it stops gracefully.
 *
 * <pre>{@code
 * ConsumerRunner<String, CustomMessage> runner = ConsumerRunner
 *         .builder(Map.of("bootstrap.servers", servers, "group.id", "batch-group"),
 *                 new StringDeserializer(), new CustomMessageDeserializer())
 *         .topics("topic")
 *         .commitPolicy(CommitPolicy.everyRecords(10))
 *         .batches(10, batch -> batch.forEach(r -> System.out.println(r.value())));
 * runner.start();
 * ...
 * runner.close(Duration.ofSeconds(10));
 * }</pre>
 *
 * <p><b>Sequential or concurrent.</b> By default (concurrency 1) the handler runs on the runner's thread, one record
 * or batch at a time, in offset order per partition. With {@link Builder#concurrency(int)} above 1 handlers run on a
 * pool, with the {@link Ordering} chosen on the builder (per partition, per key, or none); records complete in any
 * order, commits stop at the lowest incomplete one and record the completed ones above it in the commit metadata,
 * so a restarted runner of the same group does not handle them again.
 *
 * <p><b>Exactly once.</b> {@link Builder#processing(ExactlyOnce, ProcessingHandler)} builds a consume-process-produce
 * runner: the handler sends records through an {@link Output}, and a transactional producer the runner owns commits
 * them together with the consumed offsets, one transaction per poll; a {@code read_committed} reader sees each
 * input's outputs exactly once.
 *
 * <p><b>Threads.</b> The runner owns its Kafka consumer (which is not thread safe) and uses it on one thread only:
 * its own after {@link #start()}, or the caller's in {@link #run()}. Sequentially, handlers, policies and listener
 * callbacks run on that thread; concurrently, handlers and error policies run on the handler pool and must be
 * thread safe. {@link #close(Duration)}, {@link #metrics()} and {@link #failure()} may be called from any thread.
 *
 * <p><b>Bytes.</b> The consumer reads raw bytes and the runner deserializes each record with the given
 * deserializers, so a failure always comes with the record's original bytes (for a dead-letter topic) and a
 * poison pill is handled like any other failure, without a seek.
 *
 * <p><b>Shutdown.</b> {@code close} wakes the consumer, lets the records in the handler finish, commits what was
 * processed, and closes the consumer within the close timeout. Records fetched but not processed are not
 * committed; the next owner of their partition reads them.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class ConsumerRunner<K, V> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerRunner.class);
    private static final AtomicInteger IDS = new AtomicInteger();
    /** The runner whose handler the current thread runs, so that close() from a handler does not wait for itself. */
    private static final ThreadLocal<Object> IN_HANDLER = new ThreadLocal<>();

    /** How long one poll waits for records by default: short, so interval policies and close react quickly. */
    public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(100);
    /** Bound on closing the consumer by default. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);
    /** Default bound on records in flight for a concurrent runner, per handler thread. */
    public static final int DEFAULT_IN_FLIGHT_PER_THREAD = 10;
    /** Default bound on bytes in flight for a concurrent runner. */
    public static final long DEFAULT_MAX_IN_FLIGHT_BYTES = 64L << 20;

    private final String name;
    private final String groupId;
    private final List<String> topics;
    private final List<String> sourceTopics;
    private final RetryTopics retryTopics;
    private final Pattern pattern;
    private final Map<String, Object> config;
    private final ConsumerFactory consumerFactory;
    private final Duration pollTimeout;
    private final Duration closeTimeout;
    private final ConsumerRunnerListener listener;
    private final Control control;
    private final Engine engine;
    private final String description;

    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile Thread loopThread;
    private volatile Consumer<byte[], byte[]> consumer;
    private volatile Throwable failure;
    private volatile Thread shutdownHook;

    private ConsumerRunner(Builder<K, V> b, AcknowledgingRecordHandler<K, V> recordHandler,
                           AcknowledgingBatchHandler<K, V> batchHandler, int maxBatchSize, boolean acknowledging,
                           Transactions transactions) {
        this.groupId = b.groupId();
        if (b.topics.isEmpty() == (b.pattern == null)) {
            throw new IllegalArgumentException("give either topics or a pattern to subscribe to, not "
                    + (b.pattern == null ? "neither" : "both"));
        }
        if (b.commitPolicy instanceof CommitPolicy.Manual && !acknowledging) {
            throw new IllegalArgumentException("CommitPolicy.manual() needs an AcknowledgingRecordHandler or"
                    + " AcknowledgingBatchHandler: nothing would ever be committed");
        }
        boolean autoCommit = b.commitPolicy instanceof CommitPolicy.KafkaAutoCommit;
        Object userAutoCommit = b.config.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
        if (!autoCommit && userAutoCommit != null && Boolean.parseBoolean(userAutoCommit.toString().trim())) {
            throw new IllegalArgumentException("enable.auto.commit=true conflicts with commit policy "
                    + b.commitPolicy + ": the runner commits itself; use CommitPolicy.kafkaAutoCommit(interval)"
                    + " for Kafka's auto-commit");
        }
        if (b.reassembly != null && batchHandler != null) {
            throw new IllegalArgumentException("reassembly works with records(...) handlers; batches(...) with"
                    + " reassembly is not supported");
        }
        boolean concurrent = b.concurrency > 1 || b.executor != null;
        if (transactions != null) {
            checkExactlyOnce(b, concurrent);
        }
        if (b.retryTopics != null && (concurrent || b.reassembly != null || b.pattern != null)) {
            throw new IllegalArgumentException("retryTopics(...) works with concurrency 1, topics by name and no"
                    + " reassembly, but was " + (concurrent ? "concurrency " + b.concurrency
                    : b.reassembly != null ? "reassembling" : "pattern " + b.pattern));
        }
        if (concurrent && autoCommit) {
            throw new IllegalArgumentException("CommitPolicy.kafkaAutoCommit(...) cannot be used with concurrency "
                    + b.concurrency + ": Kafka would commit records still in the handler; use another commit policy");
        }
        if (concurrent && batchHandler != null && b.ordering == Ordering.KEY) {
            throw new IllegalArgumentException("ordering KEY works with records(...) handlers; batches(...) with"
                    + " concurrency take ordering PARTITION or UNORDERED");
        }
        this.name = b.name != null ? b.name : "kafkalab-consumer-" + groupId + "-" + IDS.incrementAndGet();
        Map<String, Object> c = new HashMap<>(b.config);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, autoCommit);
        if (autoCommit) {
            c.put(ConsumerConfig.AUTO_COMMIT_INTERVAL_MS_CONFIG, (int) b.commitPolicy.autoCommitInterval().toMillis());
        }
        c.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, name);
        if (transactions != null) {
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        }
        c.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
        c.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
        this.config = c;
        List<String> subscribed = new ArrayList<>(b.topics);
        if (b.retryTopics != null) {
            b.topics.forEach(t -> subscribed.addAll(b.retryTopics.stageTopics(t)));
        }
        this.topics = List.copyOf(subscribed);
        this.sourceTopics = List.copyOf(b.topics);
        this.retryTopics = b.retryTopics;
        this.pattern = b.pattern;
        this.consumerFactory = b.consumerFactory;
        this.pollTimeout = b.pollTimeout;
        this.closeTimeout = b.closeTimeout;
        this.listener = b.listener;
        this.control = new Control(name, b.maxRecords);
        int maxInFlight = b.maxInFlight > 0 ? b.maxInFlight
                : Math.max(1000, DEFAULT_IN_FLIGHT_PER_THREAD * b.concurrency);
        ErrorPolicy errorPolicy = b.retryTopics != null ? b.retryTopics : b.errorPolicy;
        this.engine = new Engine.Settings(name, groupId, b.commitPolicy, b.commitMode, errorPolicy, b.listener,
                b.clock, b.reassembly, concurrent, b.ordering, b.nullKeys, b.concurrency, maxInFlight,
                b.maxInFlightBytes, maxBatchSize, b.executor, IN_HANDLER, this,
                b.retryTopics == null ? null : b.retryTopics::untilDue, transactions, b.closeTimeout)
                .build(b.keyDeserializer, b.valueDeserializer, recordHandler, batchHandler, control);
        this.description = "group " + groupId + ", " + (pattern != null ? "pattern " + pattern : "topics " + topics)
                + ", commit policy " + b.commitPolicy + " (" + b.commitMode + "), "
                + (batchHandler != null ? "batches of at most " + maxBatchSize : "single records")
                + (concurrent ? ", concurrency " + b.concurrency + " ordered by " + b.ordering : "")
                + (b.reassembly != null ? ", reassembling" : "")
                + (b.retryTopics != null ? ", " + b.retryTopics : "")
                + (transactions != null ? ", exactly once" : "")
                + (b.maxRecords != Long.MAX_VALUE ? ", stops after " + b.maxRecords + " records" : "");
    }

    /** The combinations an exactly-once runner refuses, each naming what conflicts. */
    private static void checkExactlyOnce(Builder<?, ?> b, boolean concurrent) {
        String conflict = concurrent ? "concurrency " + b.concurrency + " (or an executor): transactions are per poll"
                + " on the runner's thread"
                : b.reassembly != null ? "reassemble(...)"
                : b.retryTopics != null ? "retryTopics(...): retries of an exactly-once runner hold the partition"
                + " in place"
                : !b.commitPolicy.equals(CommitPolicy.afterEachPoll()) ? "commitPolicy " + b.commitPolicy
                + ": offsets commit with each poll's transaction (leave the default afterEachPoll)"
                : null;
        Object isolation = b.config.get(ConsumerConfig.ISOLATION_LEVEL_CONFIG);
        if (conflict == null && isolation != null && !"read_committed".equals(isolation.toString().trim())) {
            conflict = "isolation.level=" + isolation + ": an exactly-once runner reads read_committed, or it would"
                    + " process records of aborted transactions";
        }
        if (conflict != null) {
            throw new IllegalArgumentException("processing(...) (exactly once) does not work with " + conflict);
        }
    }

    /**
     * Starts building a runner.
     *
     * @param consumerConfig    Kafka consumer settings, passed through; needs {@code bootstrap.servers} and
     *                          {@code group.id}. {@code enable.auto.commit} follows the commit policy and the
     *                          deserializer keys are ignored (the runner reads bytes and deserializes itself).
     * @param keyDeserializer   for keys
     * @param valueDeserializer for values
     * @param <K>               key type
     * @param <V>               value type
     * @return a builder
     */
    public static <K, V> Builder<K, V> builder(Map<String, ?> consumerConfig, Deserializer<K> keyDeserializer,
                                               Deserializer<V> valueDeserializer) {
        return new Builder<>(consumerConfig, keyDeserializer, valueDeserializer);
    }

    /** @return the runner's name, also its thread's name and (unless configured) the consumer's client id */
    public String name() {
        return name;
    }

    /** @return the consumer group */
    public String groupId() {
        return groupId;
    }

    /**
     * Runs the loop on a new (non-daemon) thread named {@link #name()} and returns at once.
     *
     * @return this
     * @throws IllegalStateException when the runner was started before
     */
    public ConsumerRunner<K, V> start() {
        begin();
        Thread t = new Thread(() -> {
            try {
                execute();
            } catch (RuntimeException | Error e) {
                // recorded in failure() and reported to the listener by execute()
            }
        }, name);
        t.start();
        return this;
    }

    /**
     * Runs the loop on the calling thread until {@link #close(Duration)} is called (from another thread, a
     * handler, or a shutdown hook), the error policy stops it, or {@link Builder#maxRecords(long)} records are done.
     *
     * @throws RecordProcessingException when the error policy stopped the runner
     * @throws IllegalStateException     when the runner was started before
     * @throws NotAuthorizedException    when the cluster refused the runner its topic or group (READ, and
     *                                   DESCRIBE to find them): never retried
     * @throws RuntimeException          whatever else ended the loop
     */
    public void run() {
        begin();
        execute();
    }

    private void begin() {
        if (!control.runState().moveFrom(RunState.State.NEW, RunState.State.RUNNING)) {
            throw new IllegalStateException("runner " + name + " was started already");
        }
    }

    private void execute() {
        loopThread = Thread.currentThread();
        try {
            loop();
        } catch (Throwable e) {
            failure = e;
            if (NotAuthorizedException.in(e) != null) {
                engine.counters().denied(); // before the listener hears of the stop and the count down
                LOG.error("{}: stopped: {}", name, NotAuthorizedException.in(e).getMessage());
            } else {
                LOG.error("{}: consumer loop failed", name, e);
            }
        } finally {
            control.runState().stopped();
            removeShutdownHook();
            // before the count down: whoever awaits termination sees what the listener did
            control.notifyListener(() -> listener.onStopped(failure));
            terminated.countDown();
        }
        Throwable f = failure;
        if (f instanceof RuntimeException r) {
            throw r;
        } else if (f instanceof Error err) {
            throw err;
        } else if (f != null) {
            throw new IllegalStateException(f);
        }
    }

    /**
     * Stops the runner: wakes the consumer, lets the records in the handler finish, commits what was processed,
     * closes the consumer. Idempotent. From a handler (the runner's own thread, or a handler thread of a concurrent
     * runner) it only asks the loop to stop and returns at once.
     *
     * @param timeout how long to wait for the loop to end
     * @return whether the loop ended within {@code timeout} (true as well when it never started)
     */
    public boolean close(Duration timeout) {
        RunState.State was = control.runState().get();
        control.requestClose();
        if (was == RunState.State.NEW) {
            terminated.countDown();
            return true;
        }
        if (Thread.currentThread() == loopThread || IN_HANDLER.get() == this) {
            return false;
        }
        Consumer<byte[], byte[]> c = consumer;
        if (c != null) {
            try {
                c.wakeup();
            } catch (RuntimeException e) {
                // the loop closed the consumer meanwhile
            }
        }
        try {
            boolean done = terminated.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                LOG.warn("{} did not stop within {} ms", name, timeout.toMillis());
            }
            return done;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Closes with the builder's close timeout (30 s by default). */
    @Override
    public void close() {
        close(closeTimeout);
    }

    /**
     * Waits until the loop has ended, for whatever reason.
     *
     * @param timeout the bound
     * @return whether it ended within the bound
     * @throws InterruptedException when interrupted while waiting
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Registers a JVM shutdown hook that closes this runner (for mains: Ctrl-C commits what was processed).
     * The hook is removed when the runner ends by itself.
     *
     * @return this
     */
    public ConsumerRunner<K, V> closeOnShutdown() {
        Thread hook = new Thread(() -> close(closeTimeout), name + "-shutdown");
        shutdownHook = hook;
        Runtime.getRuntime().addShutdownHook(hook);
        return this;
    }

    /** @return whether the loop is running (started and not yet ended) */
    public boolean isRunning() {
        RunState.State s = control.runState().get();
        return s != RunState.State.NEW && terminated.getCount() > 0;
    }

    /** @return what ended the loop other than a close (a {@link RecordProcessingException} after STOP), or null */
    public Throwable failure() {
        return failure;
    }

    /** @return counters and per-partition offsets as of now */
    public RunnerMetrics metrics() {
        return engine.metrics();
    }

    // ------------------------------------------------------------------------------------------------ loop

    private void loop() {
        if (retryTopics != null && consumerFactory == ConsumerFactory.KAFKA) {
            createRetryTopics();
        }
        try (Consumer<byte[], byte[]> c = consumerFactory.create(config)) {
            consumer = c;
            engine.start(c);
            Rebalance rebalance = new Rebalance(c);
            if (pattern != null) {
                c.subscribe(pattern, rebalance);
            } else {
                c.subscribe(topics, rebalance);
            }
            LOG.info("{} started: {}", name, description);
            try {
                while (control.runState().running() && control.stopCause() == null && !engine.finished()) {
                    boolean blocked = engine.blocked();
                    if (blocked) {
                        engine.awaitProgress(pollTimeout); // the consumer heartbeats on its own thread meanwhile
                    }
                    engine.collect();
                    ConsumerRecords<byte[], byte[]> polled;
                    try {
                        polled = c.poll(blocked ? Duration.ZERO : engine.pollTimeout(pollTimeout));
                    } catch (WakeupException e) {
                        continue;
                    }
                    engine.afterPoll(polled);
                }
            } catch (RuntimeException | Error e) {
                // the consumer is closed on the way out; under Kafka's auto-commit that close would commit
                // the positions of records never processed
                Throwable thrown = Denials.ofConsume(e, groupId).<Throwable>map(d -> d).orElse(e);
                try {
                    engine.rewind();
                } catch (RuntimeException suppressed) {
                    thrown.addSuppressed(suppressed);
                }
                engine.shutdown();
                if (thrown instanceof Error err) {
                    throw err;
                }
                throw (RuntimeException) thrown;
            }
            engine.finish(closeTimeout);
            c.close(closeTimeout);
            consumer = null;
            LOG.info("{} stopped: {} records processed", name, engine.metrics().recordsProcessed());
        }
        if (control.stopCause() != null) {
            throw control.stopCause();
        }
    }

    /** Creates the missing stage and dead-letter topics, with an admin client on the consumer's connection settings. */
    private void createRetryTopics() {
        Map<String, Object> adminConfig = new HashMap<>();
        config.forEach((k, v) -> {
            if (org.apache.kafka.clients.admin.AdminClientConfig.configNames().contains(k)) {
                adminConfig.put(k, v);
            }
        });
        adminConfig.put(org.apache.kafka.clients.admin.AdminClientConfig.CLIENT_ID_CONFIG, name + "-admin");
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(adminConfig)) {
            retryTopics.createTopics(admin, sourceTopics, closeTimeout);
        }
    }

    private void removeShutdownHook() {
        Thread hook = shutdownHook;
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down already
            }
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        private final Consumer<byte[], byte[]> c;

        Rebalance(Consumer<byte[], byte[]> c) {
            this.c = c;
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            engine.revoked(partitions, closeTimeout);
            LOG.info("{} revoked {}", name, partitions);
            control.notifyListener(() -> listener.onRevoked(partitions));
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            engine.lost(partitions);
            LOG.warn("{} lost {}; nothing committed for them", name, partitions);
            control.notifyListener(() -> listener.onLost(partitions));
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // what the group committed, and what its metadata says completed above it or was delivered
            engine.assigned(partitions, partitions.isEmpty() ? Map.of() : c.committed(new HashSet<>(partitions)));
            LOG.info("{} assigned {}", name, partitions);
            control.notifyListener(() -> listener.onAssigned(partitions));
        }
    }

    /**
     * Settings of a {@link ConsumerRunner}. Ends with {@link #records(RecordHandler)} (single-record runner) or
     * {@link #batches(int, BatchHandler)} (batch runner), which validate and build. Not thread safe.
     *
     * @param <K> key type
     * @param <V> value type
     */
    public static final class Builder<K, V> {
        private final Map<String, Object> config;
        private final Deserializer<K> keyDeserializer;
        private final Deserializer<V> valueDeserializer;
        private final List<String> topics = new ArrayList<>();
        private Pattern pattern;
        private CommitPolicy commitPolicy = CommitPolicy.afterEachPoll();
        private CommitMode commitMode = CommitMode.SYNC;
        private ErrorPolicy errorPolicy = ErrorPolicy.retry(3, Duration.ofMillis(100), Duration.ofSeconds(1),
                ErrorPolicy.skip());
        private ConsumerRunnerListener listener = new ConsumerRunnerListener() { };
        private Clock clock = Clock.systemUTC();
        private Duration pollTimeout = DEFAULT_POLL_TIMEOUT;
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
        private String name;
        private ReassemblyConfig reassembly;
        private Ordering ordering = Ordering.PARTITION;
        private Ordering nullKeys = Ordering.PARTITION;
        private int concurrency = 1;
        private int maxInFlight;
        private long maxInFlightBytes = DEFAULT_MAX_IN_FLIGHT_BYTES;
        private Executor executor;
        private ConsumerFactory consumerFactory = ConsumerFactory.KAFKA;
        private long maxRecords = Long.MAX_VALUE;
        private RetryTopics retryTopics;

        private Builder(Map<String, ?> config, Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer) {
            this.config = new HashMap<>(Objects.requireNonNull(config, "consumerConfig"));
            this.keyDeserializer = Objects.requireNonNull(keyDeserializer, "keyDeserializer");
            this.valueDeserializer = Objects.requireNonNull(valueDeserializer, "valueDeserializer");
        }

        /**
         * @param topics topics to subscribe to
         * @return this
         */
        public Builder<K, V> topics(String... topics) {
            return topics(List.of(topics));
        }

        /**
         * @param topics topics to subscribe to
         * @return this
         */
        public Builder<K, V> topics(Collection<String> topics) {
            topics.forEach(t -> this.topics.add(Objects.requireNonNull(t, "topic")));
            return this;
        }

        /**
         * @param pattern subscribe to every topic matching it, now and later
         * @return this
         */
        public Builder<K, V> pattern(Pattern pattern) {
            this.pattern = Objects.requireNonNull(pattern, "pattern");
            return this;
        }

        /**
         * @param policy when to commit; default {@link CommitPolicy#afterEachPoll()}
         * @return this
         */
        public Builder<K, V> commitPolicy(CommitPolicy policy) {
            this.commitPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * @param mode how the policy's commits are sent; default {@link CommitMode#SYNC}
         * @return this
         */
        public Builder<K, V> commitMode(CommitMode mode) {
            this.commitMode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * @param policy what to do with failed records; default: 3 attempts with 100 ms to 1 s backoff, then
         *               skip (logged and counted)
         * @return this
         */
        public Builder<K, V> errorPolicy(ErrorPolicy policy) {
            this.errorPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /**
         * @param listener callbacks; default none
         * @return this
         */
        public Builder<K, V> listener(ConsumerRunnerListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * @param clock the time interval commit policies see; default the system clock
         * @return this
         */
        public Builder<K, V> clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @param timeout how long one poll waits for records; default 100 ms
         * @return this
         */
        public Builder<K, V> pollTimeout(Duration timeout) {
            this.pollTimeout = positive(timeout, "pollTimeout");
            return this;
        }

        /**
         * @param timeout bound on closing the consumer, and the default wait of {@link ConsumerRunner#close()};
         *                default 30 s
         * @return this
         */
        public Builder<K, V> closeTimeout(Duration timeout) {
            this.closeTimeout = positive(timeout, "closeTimeout");
            return this;
        }

        /**
         * @param name thread name and default client id; default {@code kafkalab-consumer-<group>-<n>}
         * @return this
         */
        public Builder<K, V> name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Reassembles segmented messages (see {@code io.kafkalab.segment}) before the handler: the value
         * deserializer then reads the whole message, the handler gets one record per message (its offset is the
         * last segment's, its headers the first segment's), records without segment headers pass through.
         * Commits never pass the first segment of an incomplete message, and carry a delivered watermark in their
         * metadata so that a restart does not deliver a message twice. Messages the reassembler gives up on go to
         * the error policy with {@link FailureKind#SEGMENT}. Only with {@link #records(RecordHandler)} and
         * {@link #acknowledgingRecords(AcknowledgingRecordHandler)}.
         *
         * @param config the reassembler's limits
         * @return this
         */
        public Builder<K, V> reassemble(ReassemblyConfig config) {
            this.reassembly = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * How many handler calls may run at once. 1, the default, runs the handler on the runner's thread, in offset
         * order per partition. Above 1, handlers run on a pool of that many threads the runner owns (or on
         * {@link #executor(Executor)}), records complete in any order allowed by {@link #ordering(Ordering)}, and the
         * poll loop never waits on a handler, so {@code max.poll.interval.ms} is not consumed by slow records.
         *
         * @param threads at least 1
         * @return this
         */
        public Builder<K, V> concurrency(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("concurrency must be >= 1, but was " + threads);
            }
            this.concurrency = threads;
            return this;
        }

        /**
         * @param ordering which records may run at once with concurrency; default {@link Ordering#PARTITION}
         * @return this
         */
        public Builder<K, V> ordering(Ordering ordering) {
            this.ordering = Objects.requireNonNull(ordering, "ordering");
            return this;
        }

        /**
         * @param ordering how records with a null key are ordered under {@link Ordering#KEY}: {@link Ordering#PARTITION}
         *                 (the default: in offset order within their partition, as one key) or
         *                 {@link Ordering#UNORDERED}
         * @return this
         */
        public Builder<K, V> nullKeys(Ordering ordering) {
            if (Objects.requireNonNull(ordering, "ordering") == Ordering.KEY) {
                throw new IllegalArgumentException("nullKeys must be PARTITION or UNORDERED, but was KEY");
            }
            this.nullKeys = ordering;
            return this;
        }

        /**
         * Bounds a concurrent runner's records fetched and not yet complete (queued for their key or partition, or
         * running); past it the runner pauses its partitions until records complete. Records waiting for a retry
         * count in the bytes but not in the records: they hold no thread, and a burst of failures with a long backoff
         * must not stop every other key.
         *
         * @param records at least 1; default {@value ConsumerRunner#DEFAULT_IN_FLIGHT_PER_THREAD} per handler thread, at least 1000
         * @param bytes   key and value bytes, at least 1; default 64 MiB
         * @return this
         */
        public Builder<K, V> maxInFlight(int records, long bytes) {
            if (records < 1) {
                throw new IllegalArgumentException("maxInFlight records must be >= 1, but was " + records);
            }
            if (bytes < 1) {
                throw new IllegalArgumentException("maxInFlight bytes must be >= 1, but was " + bytes);
            }
            this.maxInFlight = records;
            this.maxInFlightBytes = bytes;
            return this;
        }

        /**
         * Runs handlers on your executor instead of a pool the runner owns (and makes the runner concurrent);
         * the runner still submits at most {@link #concurrency(int)} handler tasks at once, and does not shut it down.
         *
         * @param executor the executor
         * @return this
         */
        public Builder<K, V> executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * @param factory creates the Kafka consumer; default {@link ConsumerFactory#KAFKA}. Tests pass one that
         *                returns Kafka's {@code MockConsumer}.
         * @return this
         */
        public Builder<K, V> consumerFactory(ConsumerFactory factory) {
            this.consumerFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * Stops the runner by itself once exactly {@code records} records (reassembled messages count once) were
         * handed to the handler or the error policy and are done; a last batch is cut to fit. It then commits
         * exactly those, as on close, and ends. Records fetched beyond them are neither handled nor committed.
         *
         * @param records at least 1
         * @return this
         */
        public Builder<K, V> maxRecords(long records) {
            if (records < 1) {
                throw new IllegalArgumentException("maxRecords must be >= 1, but was " + records);
            }
            this.maxRecords = records;
            return this;
        }

        /**
         * Retries through retry topics instead of in place (see {@link RetryTopics}): the runner also subscribes to
         * the stage topics of each topic given to {@link #topics}, creates them (and the dead-letter topics) when
         * missing with the source topic's partition count, uses {@code retryTopics} as its error policy (replacing
         * {@link #errorPolicy}), and holds a stage partition, paused, until its next record is due. Only with
         * concurrency 1, topics by name and no reassembly.
         *
         * @param retryTopics the stages
         * @return this
         */
        public Builder<K, V> retryTopics(RetryTopics retryTopics) {
            this.retryTopics = Objects.requireNonNull(retryTopics, "retryTopics");
            return this;
        }

        /** Builds a runner that hands the handler one record at a time. */
        public ConsumerRunner<K, V> records(RecordHandler<K, V> handler) {
            Objects.requireNonNull(handler, "handler");
            return new ConsumerRunner<>(this, (record, ack) -> handler.handle(record), null, 1, false, null);
        }

        /** Builds a runner that hands the handler one record at a time, with an {@link Acknowledgment}. */
        public ConsumerRunner<K, V> acknowledgingRecords(AcknowledgingRecordHandler<K, V> handler) {
            Objects.requireNonNull(handler, "handler");
            return new ConsumerRunner<>(this, handler, null, 1, true, null);
        }

        /**
         * Builds a runner that hands the handler batches of one partition.
         *
         * @param maxBatchSize at most this many records per call, at least 1 (the lab uses 10)
         * @param handler      the handler
         */
        public ConsumerRunner<K, V> batches(int maxBatchSize, BatchHandler<K, V> handler) {
            Objects.requireNonNull(handler, "handler");
            return new ConsumerRunner<>(this, null, (batch, ack) -> handler.handle(batch), batchSize(maxBatchSize),
                    false, null);
        }

        /** As {@link #batches(int, BatchHandler)}, with an {@link Acknowledgment}. */
        public ConsumerRunner<K, V> acknowledgingBatches(int maxBatchSize, AcknowledgingBatchHandler<K, V> handler) {
            Objects.requireNonNull(handler, "handler");
            return new ConsumerRunner<>(this, null, handler, batchSize(maxBatchSize), true, null);
        }

        /**
         * Builds an exactly-once consume-process-produce runner: the handler turns each record into records it sends
         * through an {@link Output}, and the runner's transactional producer (one per runner, made from
         * {@code exactlyOnce}) commits them together with the consumed offsets, in one transaction per poll
         * ({@code sendOffsetsToTransaction} with the consumer's group metadata, so a zombie of the group is fenced,
         * KIP-447). A {@code read_committed} consumer of the output sees each input's outputs exactly once, across
         * crashes, restarts and rebalances. The consumer reads {@code read_committed} too, and the runner's own
         * commits are off.
         *
         * <p><b>Failures.</b> A handler that throws aborts the transaction: nothing of the poll is visible, and its
         * partitions are read again from their first record. The records before the failed one are done again in a
         * new transaction, and there the {@link ErrorPolicy} decides about the failed one: SKIP and DEAD_LETTERED
         * commit its offset in that transaction (a dead letter commits with it when the policy sends it through the
         * runner's producer, see {@link ExactlyOnce#errorPolicy}; with a producer of your own it is sent at least
         * once);
         * RETRY commits the records before it and holds its partition, paused, until the retry is due (the other
         * partitions go on; the attempt count goes on); STOP commits the records before it and stops the runner.
         * A send that fails counts as a failure of the record whose handler sent it. A poison pill is decided at
         * once, no handler having sent anything.
         *
         * <p><b>Rebalances and fencing.</b> Transactions open and commit within a poll, so a rebalance never finds
         * one open. A commit refused because the group moved on (a {@code CommitFailedException} from
         * {@code sendOffsetsToTransaction}) or failing for another abortable reason aborts: nothing is committed
         * and the partitions are read again, by this runner or by their new owner. A producer that is fenced (a
         * {@code ProducerFencedException}: another producer took its {@code transactional.id}), or whose abort
         * fails, is closed and the runner stops with Kafka's exception as {@link ConsumerRunner#failure()}: it is
         * the zombie, and the records it did not commit are read by the new owner.
         *
         * <p>Refused at build time, naming the conflict: concurrency above 1 or an executor, reassembly, retry
         * topics, a commit policy other than the default {@link CommitPolicy#afterEachPoll()}, and
         * {@code isolation.level} other than {@code read_committed} (or {@code enable.auto.commit=true}).
         *
         * @param exactlyOnce the producer's settings and serializers
         * @param handler     the handler
         * @param <KO>        key type sent
         * @param <VO>        value type sent
         * @return the runner
         */
        public <KO, VO> ConsumerRunner<K, V> processing(ExactlyOnce<KO, VO> exactlyOnce,
                                                        ProcessingHandler<K, V, KO, VO> handler) {
            Objects.requireNonNull(exactlyOnce, "exactlyOnce");
            Objects.requireNonNull(handler, "handler");
            String txName = name != null ? name : "kafkalab-eos-" + groupId();
            Transactions transactions = new Transactions(txName, exactlyOnce.producerConfig(),
                    exactlyOnce.producerFactory());
            Output<KO, VO> output = transactions.output(exactlyOnce.keySerializer(), exactlyOnce.valueSerializer());
            if (exactlyOnce.errorPolicyFactory() != null) {
                errorPolicy(exactlyOnce.errorPolicyFactory().apply(transactions.sendingView()));
            }
            return new ConsumerRunner<>(this, (record, ack) -> handler.process(record, output), null, 1, false,
                    transactions);
        }

        private String groupId() {
            Object group = config.get(ConsumerConfig.GROUP_ID_CONFIG);
            if (group == null || group.toString().isBlank()) {
                throw new IllegalArgumentException("group.id must be set: the runner commits offsets for a"
                        + " consumer group");
            }
            return group.toString();
        }

        private static int batchSize(int maxBatchSize) {
            if (maxBatchSize < 1) {
                throw new IllegalArgumentException("maxBatchSize must be >= 1, but was " + maxBatchSize);
            }
            return maxBatchSize;
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.toMillis() < 1) {
                throw new IllegalArgumentException(name + " must be >= 1 ms, but was " + d);
            }
            return d;
        }
    }
}
