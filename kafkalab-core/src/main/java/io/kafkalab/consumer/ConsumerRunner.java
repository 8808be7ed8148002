package io.kafkalab.consumer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.OptionalLong;
import java.util.regex.Pattern;
import io.kafkalab.segment.AssembledMessage;
import io.kafkalab.segment.DroppedMessage;
import io.kafkalab.segment.Reassembler;
import io.kafkalab.segment.ReassemblyConfig;
import io.kafkalab.segment.ReassemblyException;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a Kafka consumer loop that gets the hard parts right: it commits only what the handler finished, when
 * the {@link CommitPolicy} says, never backwards; it commits synchronously on revocation and close, and nothing
 * for lost partitions; it routes poison pills and handler failures to an {@link ErrorPolicy} instead of
 * looping on them or dropping them; and it stops gracefully.
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
 * <p><b>Threads.</b> The runner owns its {@code KafkaConsumer} (which is not thread safe) and uses it on one
 * thread only: its own after {@link #start()}, or the caller's in {@link #run()}. Handlers, policies and
 * listener callbacks run on that thread. {@link #close(Duration)}, {@link #metrics()} and {@link #failure()}
 * may be called from any thread.
 *
 * <p><b>Bytes.</b> The consumer reads raw bytes and the runner deserializes each record with the given
 * deserializers, so a failure always comes with the record's original bytes (for a dead-letter topic) and a
 * poison pill is handled like any other failure, without a seek.
 *
 * <p><b>Shutdown.</b> {@code close} wakes the consumer, lets the record or batch in progress finish, commits
 * what was processed, and closes the consumer within the close timeout. Records fetched but not processed are
 * not committed; the next owner of their partition reads them.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class ConsumerRunner<K, V> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerRunner.class);
    private static final AtomicInteger IDS = new AtomicInteger();

    /** How long one poll waits for records by default: short, so interval policies and close react quickly. */
    public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(100);
    /** Bound on closing the consumer by default. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final Map<String, Object> config;
    private final String groupId;
    private final List<String> topics;
    private final Pattern pattern;
    private final Deserializer<K> keyDeserializer;
    private final Deserializer<V> valueDeserializer;
    private final AcknowledgingBatchHandler<K, V> handler;
    private final int maxBatchSize;
    private final CommitPolicy commitPolicy;
    private final CommitMode commitMode;
    private final ErrorPolicy errorPolicy;
    private final ConsumerRunnerListener listener;
    private final Clock clock;
    private final Duration pollTimeout;
    private final Duration closeTimeout;
    private final String name;
    private final boolean autoCommit;
    /** Null unless the runner reassembles segmented messages. */
    private final Reassembler reassembler;
    /** Prefix of the commit metadata that carries the delivered watermark. */
    static final String DELIVERED_PREFIX = "kafkalab.delivered=";

    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch closeSignal = new CountDownLatch(1);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile Thread loopThread;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile Throwable failure;
    private volatile Thread shutdownHook;

    // loop state: the runner's thread only
    private final Map<TopicPartition, Long> processed = new HashMap<>();
    private final Map<TopicPartition, Long> committable = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    private final Map<TopicPartition, Long> firstUnprocessed = new HashMap<>();
    // reassembly only: the first segment of a message whose handling has not finished, the delivered
    // watermark read from the group's commit, and the watermark last committed
    private final Map<TopicPartition, Long> inFlightFloor = new HashMap<>();
    private final Map<TopicPartition, Long> deliveredWatermark = new HashMap<>();
    private final Map<TopicPartition, Long> committedWatermark = new HashMap<>();
    private final AtomicLong alreadyDelivered = new AtomicLong();
    private long processedSinceCommit;
    private Instant lastCommit;
    private boolean acknowledged;
    private boolean abandonPoll;
    private RecordProcessingException stopCause;

    private final AtomicLong recordsProcessed = new AtomicLong();
    private final AtomicLong batchesProcessed = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong commitFailures = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong deserializationFailures = new AtomicLong();
    private final AtomicLong stops = new AtomicLong();
    private volatile Map<TopicPartition, Long> lastCommittedSnapshot = Map.of();
    private volatile Map<TopicPartition, Long> lagSnapshot = Map.of();
    private volatile io.kafkalab.segment.ReassemblyStats reassemblyStats;

    private ConsumerRunner(Builder<K, V> b, AcknowledgingBatchHandler<K, V> handler, int maxBatchSize,
                           boolean acknowledging) {
        this.groupId = b.groupId();
        if (b.topics.isEmpty() == (b.pattern == null)) {
            throw new IllegalArgumentException("give either topics or a pattern to subscribe to, not "
                    + (b.pattern == null ? "neither" : "both"));
        }
        if (b.commitPolicy.commitsOnlyAcknowledged() && !acknowledging) {
            throw new IllegalArgumentException("CommitPolicy.manual() needs an AcknowledgingRecordHandler or"
                    + " AcknowledgingBatchHandler: nothing would ever be committed");
        }
        this.autoCommit = b.commitPolicy.autoCommitInterval() != null;
        Object userAutoCommit = b.config.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
        if (!autoCommit && userAutoCommit != null && Boolean.parseBoolean(userAutoCommit.toString().trim())) {
            throw new IllegalArgumentException("enable.auto.commit=true conflicts with commit policy "
                    + b.commitPolicy + ": the runner commits itself; use CommitPolicy.kafkaAutoCommit(interval)"
                    + " for Kafka's auto-commit");
        }
        this.name = b.name != null ? b.name : "kafkalab-consumer-" + groupId + "-" + IDS.incrementAndGet();
        Map<String, Object> c = new HashMap<>(b.config);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, autoCommit);
        if (autoCommit) {
            c.put(ConsumerConfig.AUTO_COMMIT_INTERVAL_MS_CONFIG, (int) b.commitPolicy.autoCommitInterval().toMillis());
        }
        c.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, name);
        c.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
        c.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
        this.config = c;
        this.topics = List.copyOf(b.topics);
        this.pattern = b.pattern;
        this.keyDeserializer = b.keyDeserializer;
        this.valueDeserializer = b.valueDeserializer;
        this.handler = handler;
        this.maxBatchSize = maxBatchSize;
        this.commitPolicy = b.commitPolicy;
        this.commitMode = b.commitMode;
        this.errorPolicy = b.errorPolicy;
        this.listener = b.listener;
        this.clock = b.clock;
        this.pollTimeout = b.pollTimeout;
        this.closeTimeout = b.closeTimeout;
        if (b.reassembly != null && maxBatchSize != 1) {
            throw new IllegalArgumentException("reassembly works with records(...) handlers; batches(...) with"
                    + " reassembly is not supported");
        }
        this.reassembler = b.reassembly == null ? null : new Reassembler(b.reassembly);
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
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("runner " + name + " was started already");
        }
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
     * handler, or a shutdown hook) or the error policy stops it.
     *
     * @throws RecordProcessingException when the error policy stopped the runner
     * @throws IllegalStateException     when the runner was started before
     * @throws RuntimeException          whatever else ended the loop (for example an authorization error)
     */
    public void run() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("runner " + name + " was started already");
        }
        execute();
    }

    private void execute() {
        loopThread = Thread.currentThread();
        try {
            loop();
        } catch (Throwable e) {
            failure = e;
            LOG.error("{}: consumer loop failed", name, e);
        } finally {
            terminated.countDown();
            removeShutdownHook();
            notifyListener(() -> listener.onStopped(failure));
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
     * Stops the runner: wakes the consumer, lets the record or batch in progress finish, commits what was
     * processed, closes the consumer. Idempotent. From the runner's own thread (a handler) it only asks the
     * loop to stop after the current record or batch and returns at once.
     *
     * @param timeout how long to wait for the loop to end
     * @return whether the loop ended within {@code timeout} (true as well when it never started)
     */
    public boolean close(Duration timeout) {
        closing.set(true);
        closeSignal.countDown();
        if (!started.get()) {
            if (started.compareAndSet(false, true)) {
                terminated.countDown();
            }
            return true;
        }
        if (Thread.currentThread() == loopThread) {
            return false;
        }
        KafkaConsumer<byte[], byte[]> c = consumer;
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
        return started.get() && terminated.getCount() > 0;
    }

    /** @return what ended the loop other than a close (a {@link RecordProcessingException} after STOP), or null */
    public Throwable failure() {
        return failure;
    }

    /** @return counters and per-partition offsets as of now */
    public RunnerMetrics metrics() {
        return new RunnerMetrics(recordsProcessed.get(), batchesProcessed.get(), commits.get(), commitFailures.get(),
                retries.get(), skipped.get(), deadLettered.get(), deserializationFailures.get(), stops.get(),
                lastCommittedSnapshot, lagSnapshot, alreadyDelivered.get(), reassemblyStats);
    }

    // ------------------------------------------------------------------------------------------------ loop

    private void loop() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer = c;
            Rebalance rebalance = new Rebalance();
            if (pattern != null) {
                c.subscribe(pattern, rebalance);
            } else {
                c.subscribe(topics, rebalance);
            }
            lastCommit = clock.instant();
            LOG.info("{} started: group {}, {}, commit policy {} ({}), batches of at most {}", name, groupId,
                    pattern != null ? "pattern " + pattern : "topics " + topics, commitPolicy, commitMode,
                    maxBatchSize);
            try {
                while (!closing.get() && stopCause == null) {
                    ConsumerRecords<byte[], byte[]> polled;
                    try {
                        polled = c.poll(pollTimeout);
                    } catch (WakeupException e) {
                        continue;
                    }
                    if (reassembler != null) {
                        processReassembling(polled);
                        if (stopCause == null && !closing.get()) {
                            handleDrops(reassembler.expire());
                        }
                        reassemblyStats = reassembler.stats();
                    } else {
                        process(polled);
                    }
                    if (abandonPoll) {
                        // a commit failed because the group moved on: the rest of this poll is not ours to
                        // process now; rewind so that partitions we keep are read again from the first
                        // unprocessed record
                        rewindUnprocessed(c);
                        abandonPoll = false;
                    } else if (stopCause == null) {
                        maybeCommit(true);
                    }
                    updateLag(c);
                }
            } catch (RuntimeException | Error e) {
                // the consumer is closed on the way out; under Kafka's auto-commit that close would commit
                // the positions of records never processed
                try {
                    rewindUnprocessed(c);
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
            rewindUnprocessed(c);
            if (!autoCommit) {
                commit(c, assignedOffsets(c), true);
            }
            c.close(closeTimeout);
            consumer = null;
            LOG.info("{} stopped: {} records processed", name, recordsProcessed.get());
        }
        if (stopCause != null) {
            throw stopCause;
        }
    }

    /** Every partition of a new poll starts unprocessed at its first record. */
    private void beginPoll(ConsumerRecords<byte[], byte[]> polled) {
        firstUnprocessed.clear();
        for (TopicPartition tp : polled.partitions()) {
            firstUnprocessed.put(tp, polled.records(tp).get(0).offset());
        }
    }

    private void process(ConsumerRecords<byte[], byte[]> polled) {
        beginPoll(polled);
        for (TopicPartition tp : polled.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> raw = polled.records(tp);
            int i = 0;
            while (i < raw.size()) {
                if (closing.get() || stopCause != null || abandonPoll) {
                    return;
                }
                List<ConsumerRecord<K, V>> typed = new ArrayList<>(Math.min(maxBatchSize, raw.size() - i));
                Poison poison = null;
                int j = i;
                while (j < raw.size() && typed.size() < maxBatchSize) {
                    try {
                        typed.add(deserialize(raw.get(j)));
                        j++;
                    } catch (Poison p) {
                        poison = p;
                        break;
                    }
                }
                if (!typed.isEmpty()) {
                    if (!dispatch(tp, typed, raw.subList(i, i + typed.size()).stream().map(List::of).toList())) {
                        return;
                    }
                    i += typed.size();
                } else {
                    deserializationFailures.incrementAndGet();
                    if (!recover(tp, List.of(raw.get(i)), poison.getCause(), poison.kind, 1)) {
                        return;
                    }
                    i++;
                }
            }
            firstUnprocessed.remove(tp);
        }
    }

    /** Hands typed records to the handler; on failure asks the error policy. Returns false to stop. */
    private boolean dispatch(TopicPartition tp, List<ConsumerRecord<K, V>> typed,
                             List<List<ConsumerRecord<byte[], byte[]>>> rawPerRecord) {
        int start = 0;
        int attempt = 1;
        while (start < typed.size()) {
            if (abandonPoll) {
                return false;
            }
            List<ConsumerRecord<K, V>> batch = Collections.unmodifiableList(typed.subList(start, typed.size()));
            acknowledged = false;
            try {
                handler.handle(batch, () -> acknowledged = true);
                markProcessed(tp, batch.get(batch.size() - 1).offset(), batch.size());
                batchesProcessed.incrementAndGet();
                afterHandled();
                return !abandonPoll;
            } catch (Exception e) {
                int index = e instanceof BatchFailedException b && b.index() < batch.size() ? b.index() : -1;
                Throwable cause = index >= 0 ? e.getCause() : e;
                if (index > 0) {
                    markProcessed(tp, batch.get(index - 1).offset(), index);
                    afterHandled();
                    start += index;
                    attempt = 1;
                }
                int failedFrom = start;
                int failedTo = index >= 0 ? start + 1 : typed.size();
                List<ConsumerRecord<byte[], byte[]>> failedRaw = new ArrayList<>();
                rawPerRecord.subList(failedFrom, failedTo).forEach(failedRaw::addAll);
                ErrorDecision decision = decide(failedRaw, cause, FailureKind.HANDLER, attempt);
                switch (decision.outcome()) {
                    case RETRY -> {
                        retries.incrementAndGet();
                        attempt++;
                        if (!waitBeforeRetry(decision.retryDelay())) {
                            return false;
                        }
                    }
                    case SKIP, DEAD_LETTERED -> {
                        count(decision, failedRaw.size());
                        markRecovered(tp, failedRaw);
                        afterHandled();
                        start = failedTo;
                        attempt = 1;
                    }
                    case STOP -> {
                        stop(failedRaw.get(0), decision);
                        return false;
                    }
                }
            }
        }
        return true;
    }

    /** A poison pill: asks the error policy (which may not retry it). Returns false to stop. */
    private boolean recover(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> raw, Throwable error,
                            FailureKind kind, int attempt) {
        if (!recovered(tp, raw, decide(raw, error, kind, attempt), error)) {
            return false;
        }
        markRecovered(tp, raw);
        afterHandled();
        return true;
    }

    private ErrorDecision decide(List<ConsumerRecord<byte[], byte[]>> raw, Throwable error, FailureKind kind,
                                 int attempt) {
        Failure f = new Failure(raw, error, kind, attempt, groupId);
        ErrorDecision decision;
        try {
            decision = Objects.requireNonNull(errorPolicy.onFailure(f), "error policy returned null");
        } catch (RuntimeException e) {
            LOG.error("{}: the error policy itself failed on {}; stopping", name, f.where(), e);
            decision = ErrorDecision.stop(e);
        }
        if (decision.outcome() == ErrorDecision.Outcome.RETRY) {
            LOG.warn("{}: {} failed ({}, attempt {}), retrying in {} ms: {}", name, f.where(), kind, attempt,
                    decision.retryDelay().toMillis(), error.toString());
        } else if (decision.outcome() != ErrorDecision.Outcome.STOP) {
            LOG.warn("{}: {} failed ({}, attempt {}), {}: {}", name, f.where(), kind, attempt,
                    decision.outcome() == ErrorDecision.Outcome.SKIP ? "skipped" : "dead-lettered", error.toString());
        }
        ErrorDecision reported = decision;
        notifyListener(() -> listener.onError(f, reported));
        return decision;
    }

    private void stop(ConsumerRecord<byte[], byte[]> failed, ErrorDecision decision) {
        stops.incrementAndGet();
        Throwable cause = decision.cause() != null ? decision.cause() : new IllegalStateException("stopped by policy");
        stopCause = new RecordProcessingException(failed.topic(), failed.partition(), failed.offset(), cause);
        LOG.error("{}: stopping at {}-{}@{}, not committing it: {}", name, failed.topic(), failed.partition(),
                failed.offset(), cause.toString());
    }

    private boolean waitBeforeRetry(Duration delay) {
        try {
            if (closeSignal.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
                return false;
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private ConsumerRecord<K, V> deserialize(ConsumerRecord<byte[], byte[]> r) throws Poison {
        K key;
        V value;
        try {
            key = keyDeserializer.deserialize(r.topic(), r.headers(), r.key());
        } catch (RuntimeException e) {
            throw new Poison(FailureKind.KEY_DESERIALIZATION, e);
        }
        try {
            value = valueDeserializer.deserialize(r.topic(), r.headers(), r.value());
        } catch (RuntimeException e) {
            throw new Poison(FailureKind.VALUE_DESERIALIZATION, e);
        }
        return new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.timestamp(), r.timestampType(),
                r.serializedKeySize(), r.serializedValueSize(), key, value, r.headers(), r.leaderEpoch());
    }

    /** Reassembly: one raw record at a time through the reassembler; complete messages to the handler. */
    private void processReassembling(ConsumerRecords<byte[], byte[]> polled) {
        beginPoll(polled);
        for (TopicPartition tp : polled.partitions()) {
            for (ConsumerRecord<byte[], byte[]> r : polled.records(tp)) {
                if (closing.get() || stopCause != null || abandonPoll) {
                    return;
                }
                Reassembler.Result result = reassembler.add(r);
                if (!handleDrops(result.dropped())) {
                    return;
                }
                AssembledMessage m = result.message();
                if (m != null) {
                    if (m.lastOffset() < deliveredWatermark.getOrDefault(tp, -1L)) {
                        alreadyDelivered.incrementAndGet(); // delivered before a restart, as the commit records
                    } else if (!deliver(tp, m)) {
                        return;
                    }
                }
                markConsumed(tp, r.offset());
            }
            firstUnprocessed.remove(tp);
        }
    }

    /** Hands a complete message to the handler. Returns false to stop. */
    private boolean deliver(TopicPartition tp, AssembledMessage m) {
        ConsumerRecord<byte[], byte[]> first = m.segments().get(0);
        ConsumerRecord<byte[], byte[]> whole = new ConsumerRecord<>(tp.topic(), tp.partition(), m.lastOffset(),
                m.timestamp(), first.timestampType(), m.key() == null ? -1 : m.key().length, m.value().length,
                m.key(), m.value(), m.headers(), first.leaderEpoch());
        // until the handler is done with it, no commit may pass the message's first segment
        inFlightFloor.put(tp, m.firstOffset());
        boolean done;
        ConsumerRecord<K, V> typed;
        try {
            typed = deserialize(whole);
        } catch (Poison p) {
            deserializationFailures.incrementAndGet();
            ErrorDecision d = decide(m.segments(), p.getCause(), p.kind, 1);
            done = recovered(tp, m.segments(), d, p.getCause());
            if (done) {
                inFlightFloor.remove(tp);
            }
            return done;
        }
        done = dispatch(tp, List.of(typed), List.of(m.segments()));
        if (done) {
            inFlightFloor.remove(tp);
        }
        return done;
    }

    /** Gives dropped messages to the error policy. Returns false to stop. */
    private boolean handleDrops(List<DroppedMessage> drops) {
        for (DroppedMessage d : drops) {
            ReassemblyException error = new ReassemblyException(d);
            ErrorDecision decision = decide(d.segments(), error, FailureKind.SEGMENT, 1);
            if (!recovered(d.partition(), d.segments(), decision, error)) {
                inFlightFloor.merge(d.partition(), d.firstOffset(), Math::min);
                return false;
            }
        }
        return true;
    }

    private void count(ErrorDecision decision, int records) {
        (decision.outcome() == ErrorDecision.Outcome.SKIP ? skipped : deadLettered).addAndGet(records);
    }

    /**
     * Applies a decision about records that cannot be retried (poison pills, dropped segmented messages):
     * counts a skip or dead letter, stops on STOP and on RETRY (retrying cannot help). Returns false to stop.
     */
    private boolean recovered(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> raw, ErrorDecision decision,
                              Throwable error) {
        switch (decision.outcome()) {
            case SKIP, DEAD_LETTERED -> count(decision, raw.size());
            case RETRY -> {
                LOG.error("{}: the error policy asked to retry {} records at {}-{}@{}; retrying cannot help, stopping",
                        name, raw.size(), tp.topic(), tp.partition(), raw.get(0).offset());
                stop(raw.get(0), ErrorDecision.stop(error));
                return false;
            }
            default -> {
                stop(raw.get(0), decision);
                return false;
            }
        }
        return true;
    }

    // ------------------------------------------------------------------------------------------ offsets

    /** Reassembly: a raw record was consumed (its message delivered, pending in the reassembler, or dropped). */
    private void markConsumed(TopicPartition tp, long offset) {
        firstUnprocessed.computeIfPresent(tp, (k, v) -> offset + 1);
        processed.merge(tp, offset + 1, Math::max);
        if (!commitPolicy.commitsOnlyAcknowledged()) {
            committable.merge(tp, offset + 1, Math::max);
        }
    }

    private void markProcessed(TopicPartition tp, long lastOffset, int count) {
        firstUnprocessed.computeIfPresent(tp, (k, v) -> lastOffset + 1);
        processed.merge(tp, lastOffset + 1, Math::max);
        if (!commitPolicy.commitsOnlyAcknowledged()) {
            committable.merge(tp, lastOffset + 1, Math::max);
        }
        processedSinceCommit += count;
        recordsProcessed.addAndGet(count);
    }

    private void markRecovered(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> raw) {
        long last = raw.stream().mapToLong(ConsumerRecord::offset).max().orElseThrow();
        firstUnprocessed.computeIfPresent(tp, (k, v) -> Math.max(v, last + 1));
        processed.merge(tp, last + 1, Math::max);
        // a skipped or dead-lettered record is done with: committable even under manual commits
        committable.merge(tp, last + 1, Math::max);
        processedSinceCommit += raw.size();
    }

    private void afterHandled() {
        if (acknowledged) {
            committable.putAll(processed);
        }
        maybeCommit(false);
        acknowledged = false;
    }

    private void maybeCommit(boolean endOfPoll) {
        if (autoCommit) {
            return;
        }
        CommitState state = new CommitState(processedSinceCommit, Duration.between(lastCommit, clock.instant()),
                endOfPoll, acknowledged);
        if (commitPolicy.shouldCommit(state)) {
            commit(consumer, assignedOffsets(consumer), commitMode == CommitMode.SYNC);
            processedSinceCommit = 0;
            lastCommit = clock.instant();
        }
    }

    /** Committable offsets of assigned partitions that are ahead of what is committed. */
    private Map<TopicPartition, OffsetAndMetadata> assignedOffsets(KafkaConsumer<byte[], byte[]> c) {
        return offsetsAhead(c.assignment());
    }

    private Map<TopicPartition, OffsetAndMetadata> offsetsAhead(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
        for (TopicPartition tp : partitions) {
            Long next = committable.get(tp);
            if (next == null) {
                continue;
            }
            long done = committed.getOrDefault(tp, -1L);
            if (reassembler == null) {
                if (next > done) {
                    offsets.put(tp, new OffsetAndMetadata(next));
                }
                continue;
            }
            // never past an incomplete message, nor past one whose handling has not finished; the metadata
            // records how far messages were delivered, so a restart that re-reads from there skips them
            long offset = next;
            OptionalLong safe = reassembler.safeOffset(tp);
            if (safe.isPresent()) {
                offset = Math.min(offset, safe.getAsLong());
            }
            Long floor = inFlightFloor.get(tp);
            if (floor != null) {
                offset = Math.min(offset, floor);
            }
            offset = Math.max(offset, done);
            if (offset > done || next > committedWatermark.getOrDefault(tp, -1L)) {
                offsets.put(tp, new OffsetAndMetadata(offset, DELIVERED_PREFIX + next));
            }
        }
        return offsets;
    }

    private void commit(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, OffsetAndMetadata> offsets,
                        boolean sync) {
        if (offsets.isEmpty()) {
            return;
        }
        if (!sync) {
            c.commitAsync(offsets, (done, error) -> {
                if (error == null) {
                    committed(done);
                } else {
                    commitFailed(offsets, error);
                }
            });
            return;
        }
        try {
            try {
                c.commitSync(offsets);
            } catch (WakeupException e) {
                // close() woke the consumer while we were committing: the wakeup is spent, commit again
                c.commitSync(offsets);
            }
            committed(offsets);
        } catch (RuntimeException e) {
            commitFailed(offsets, e);
        }
    }

    private void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        commits.incrementAndGet();
        offsets.forEach((tp, o) -> {
            committed.merge(tp, o.offset(), Math::max);
            watermark(o).ifPresent(w -> committedWatermark.merge(tp, w, Math::max));
        });
        lastCommittedSnapshot = Map.copyOf(committed);
        LOG.debug("{} committed {}", name, offsets);
        notifyListener(() -> listener.onCommitted(offsets));
    }

    private void commitFailed(Map<TopicPartition, OffsetAndMetadata> offsets, Exception error) {
        commitFailures.incrementAndGet();
        if (error instanceof CommitFailedException || error instanceof RebalanceInProgressException) {
            abandonPoll = true;
        }
        LOG.warn("{}: commit of {} failed: {}", name, offsets, error.toString());
        notifyListener(() -> listener.onCommitFailed(offsets, error));
    }

    /** Moves positions back to the first record not processed, so that Kafka's auto-commit on close stops there. */
    private void rewindUnprocessed(KafkaConsumer<byte[], byte[]> c) {
        firstUnprocessed.forEach((tp, offset) -> {
            if (c.assignment().contains(tp)) {
                c.seek(tp, offset);
            }
        });
    }

    private void updateLag(KafkaConsumer<byte[], byte[]> c) {
        Map<TopicPartition, Long> lag = new HashMap<>();
        for (TopicPartition tp : c.assignment()) {
            c.currentLag(tp).ifPresent(l -> lag.put(tp, l));
        }
        lagSnapshot = Map.copyOf(lag);
    }

    private void forget(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            processed.remove(tp);
            committable.remove(tp);
            committed.remove(tp);
            firstUnprocessed.remove(tp);
            if (reassembler != null) {
                // never committed past: whoever reads the partition next reads these segments again
                reassembler.forget(tp);
                inFlightFloor.remove(tp);
                deliveredWatermark.remove(tp);
                committedWatermark.remove(tp);
            }
        }
    }

    /** The delivered watermark in a commit's metadata, if it carries one. */
    static OptionalLong watermark(OffsetAndMetadata o) {
        String meta = o == null ? null : o.metadata();
        if (meta == null || !meta.startsWith(DELIVERED_PREFIX)) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(meta.substring(DELIVERED_PREFIX.length())));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private void notifyListener(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("{}: listener failed", name, e);
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
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!autoCommit) {
                commit(consumer, offsetsAhead(partitions), true);
            }
            forget(partitions);
            LOG.info("{} revoked {}", name, partitions);
            notifyListener(() -> listener.onRevoked(partitions));
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions);
            LOG.warn("{} lost {}; nothing committed for them", name, partitions);
            notifyListener(() -> listener.onLost(partitions));
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (reassembler != null && !partitions.isEmpty()) {
                // how far the previous owner delivered: messages completing below it are not delivered again
                consumer.committed(new java.util.HashSet<>(partitions)).forEach((tp, o) -> {
                    if (o != null) {
                        committed.put(tp, o.offset());
                        watermark(o).ifPresent(w -> {
                            deliveredWatermark.put(tp, w);
                            committedWatermark.put(tp, w);
                        });
                    }
                });
            }
            LOG.info("{} assigned {}", name, partitions);
            notifyListener(() -> listener.onAssigned(partitions));
        }
    }

    /** A record the deserializers refused. */
    private static final class Poison extends Exception {
        private static final long serialVersionUID = 1L;
        private final FailureKind kind;

        Poison(FailureKind kind, RuntimeException cause) {
            super(cause);
            this.kind = kind;
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

        /** Builds a runner that hands the handler one record at a time. */
        public ConsumerRunner<K, V> records(RecordHandler<K, V> handler) {
            Objects.requireNonNull(handler, "handler");
            return new ConsumerRunner<>(this, (batch, ack) -> handler.handle(batch.get(0)), 1, false);
        }

        /** Builds a runner that hands the handler one record at a time, with an {@link Acknowledgment}. */
        public ConsumerRunner<K, V> acknowledgingRecords(AcknowledgingRecordHandler<K, V> handler) {
            Objects.requireNonNull(handler, "handler");
            return new ConsumerRunner<>(this, (batch, ack) -> handler.handle(batch.get(0), ack), 1, true);
        }

        /**
         * Builds a runner that hands the handler batches of one partition.
         *
         * @param maxBatchSize at most this many records per call, at least 1 (the lab uses 10)
         * @param handler      the handler
         */
        public ConsumerRunner<K, V> batches(int maxBatchSize, BatchHandler<K, V> handler) {
            Objects.requireNonNull(handler, "handler");
            return new ConsumerRunner<>(this, (batch, ack) -> handler.handle(batch), batchSize(maxBatchSize), false);
        }

        /** As {@link #batches(int, BatchHandler)}, with an {@link Acknowledgment}. */
        public ConsumerRunner<K, V> acknowledgingBatches(int maxBatchSize, AcknowledgingBatchHandler<K, V> handler) {
            Objects.requireNonNull(handler, "handler");
            return new ConsumerRunner<>(this, handler, batchSize(maxBatchSize), true);
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
