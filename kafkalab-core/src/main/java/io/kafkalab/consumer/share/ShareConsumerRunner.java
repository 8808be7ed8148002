package io.kafkalab.consumer.share;

import io.kafkalab.NotAuthorizedException;
import io.kafkalab.consumer.ErrorPolicy;
import io.kafkalab.consumer.RecordHandler;
import io.kafkalab.consumer.RecordProcessingException;
import io.kafkalab.consumer.share.internal.ShareEngine;
import io.kafkalab.internal.Denials;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.ShareConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a share-group consumer loop ({@code KafkaShareConsumer}, KIP-932) with the handler and error-policy model of
 * {@link io.kafkalab.consumer.ConsumerRunner}. Members of a share group may read the same partitions at once; the
 * broker hands each record to one member at a time, under a lock ({@code share.record.lock.duration.ms}, 30 s by
 * default), and the member acknowledges it. The runner acknowledges every record explicitly:
 *
 * <table>
 * <caption>Acknowledgements</caption>
 * <tr><th>handler / {@link ErrorPolicy} decision</th><th>acknowledgement</th><th>what the broker does</th></tr>
 * <tr><td>handler returned</td><td>ACCEPT</td><td>the record is done</td></tr>
 * <tr><td>RETRY</td><td>RELEASE</td><td>delivers it again (to any member) with delivery count + 1, at once: the
 *     decision's delay is not waited; past {@code group.share.delivery.count.limit} deliveries (5 by default) the
 *     broker archives it</td></tr>
 * <tr><td>SKIP</td><td>REJECT</td><td>archives it: never delivered again</td></tr>
 * <tr><td>DEAD_LETTERED</td><td>ACCEPT</td><td>the record is done (it is safe in the dead-letter topic; REJECT would
 *     also hand it to a broker-side dead-letter queue, where one is configured)</td></tr>
 * <tr><td>STOP</td><td>RELEASE, and the rest of the poll</td><td>delivers them again; the runner stops with a
 *     {@link RecordProcessingException}</td></tr>
 * </table>
 *
 * <p><b>Delivery count.</b> The handler's record carries the broker's delivery count in
 * {@link org.apache.kafka.clients.consumer.ConsumerRecord#deliveryCount()} (1 on the first delivery), and the error
 * policy sees it as {@link io.kafkalab.consumer.Failure#attempt()}: so {@code ErrorPolicy.retry(3, ...)} releases a
 * record on its first two failed deliveries and hands it to its fallback on the third, whichever member gets it.
 *
 * <pre>{@code
 * ShareGroups.autoOffsetReset(admin, "workers", "earliest", Duration.ofSeconds(10));
 * ShareConsumerRunner<String, String> runner = ShareConsumerRunner
 *         .builder(Map.of("bootstrap.servers", servers, "group.id", "workers"),
 *                 new StringDeserializer(), new StringDeserializer())
 *         .topics("orders")
 *         .errorPolicy(ErrorPolicy.retry(3, Duration.ZERO, Duration.ZERO, ErrorPolicy.skip()))
 *         .records(r -> System.out.println(r.value() + " delivery " + r.deliveryCount().orElse((short) 1)));
 * runner.start();
 * ...
 * runner.close(Duration.ofSeconds(10));
 * }</pre>
 *
 * <p><b>Threads.</b> The runner owns its share consumer and uses it on one thread: its own after {@link #start()}, or
 * the caller's in {@link #run()}; the handler, the error policy and the listener run there. {@link #close(Duration)},
 * {@link #metrics()} and {@link #failure()} may be called from any thread.
 *
 * <p><b>Commits.</b> After each poll's records are acknowledged, the runner commits the acknowledgements
 * synchronously ({@code commitSync}, bounded by the close timeout). A handler slower than the record lock loses the
 * lock: the broker delivers the record again, and refuses its acknowledgement (counted in
 * {@link ShareRunnerMetrics#commitFailures()}).
 *
 * <p><b>Shutdown.</b> {@code close} wakes the consumer, lets the record in the handler finish, releases the rest of
 * the poll (so other members get them at once), commits the acknowledgements and closes the consumer within the close
 * timeout. Records a member held when it died are delivered again once their lock expires.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class ShareConsumerRunner<K, V> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ShareConsumerRunner.class);
    private static final AtomicInteger IDS = new AtomicInteger();

    /** How long one poll waits for records by default. */
    public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(100);
    /** Bound on committing and closing by default. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);
    /** The consumer setting that the runner sets to {@code explicit}. */
    public static final String ACKNOWLEDGEMENT_MODE_CONFIG = "share.acknowledgement.mode";

    private enum State { NEW, RUNNING, CLOSING, STOPPED }

    private final String name;
    private final String groupId;
    private final List<String> topics;
    private final Map<String, Object> config;
    private final ShareConsumerFactory consumerFactory;
    private final Duration pollTimeout;
    private final Duration closeTimeout;
    private final ShareConsumerRunnerListener listener;
    private final ShareEngine<K, V> engine;

    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile Thread loopThread;
    private volatile ShareConsumer<byte[], byte[]> consumer;
    private volatile Throwable failure;

    private ShareConsumerRunner(Builder<K, V> b, RecordHandler<K, V> handler) {
        this.groupId = b.groupId();
        if (b.topics.isEmpty()) {
            throw new IllegalArgumentException("topics must not be empty: a share consumer subscribes to topics by"
                    + " name");
        }
        if (b.config.containsKey(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG)) {
            throw new IllegalArgumentException("auto.offset.reset is not a share consumer setting: set the group's"
                    + " share.auto.offset.reset (ShareGroups.autoOffsetReset)");
        }
        Object mode = b.config.get(ACKNOWLEDGEMENT_MODE_CONFIG);
        if (mode != null && !"explicit".equalsIgnoreCase(mode.toString().trim())) {
            throw new IllegalArgumentException("share.acknowledgement.mode=" + mode + " conflicts with the runner:"
                    + " it acknowledges every record explicitly");
        }
        this.name = b.name != null ? b.name : "kafkalab-share-consumer-" + groupId + "-" + IDS.incrementAndGet();
        Map<String, Object> c = new HashMap<>(b.config);
        c.put(ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
        c.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, name);
        c.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG);
        c.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
        this.config = c;
        this.topics = List.copyOf(b.topics);
        this.consumerFactory = b.consumerFactory;
        this.pollTimeout = b.pollTimeout;
        this.closeTimeout = b.closeTimeout;
        this.listener = b.listener;
        this.engine = new ShareEngine<>(name, groupId, b.keyDeserializer, b.valueDeserializer, handler, b.errorPolicy,
                b.listener, b.maxRecords, b.closeTimeout);
    }

    /**
     * Starts building a runner.
     *
     * @param consumerConfig    Kafka share consumer settings, passed through; needs {@code bootstrap.servers} and
     *                          {@code group.id}, must not hold {@code auto.offset.reset} (see {@link ShareGroups});
     *                          {@code share.acknowledgement.mode} is set to {@code explicit} and the deserializer keys
     *                          are ignored (the runner reads bytes and deserializes itself)
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

    /** @return the share group */
    public String groupId() {
        return groupId;
    }

    /**
     * Runs the loop on a new (non-daemon) thread named {@link #name()} and returns at once.
     *
     * @return this
     * @throws IllegalStateException when the runner was started before
     */
    public ShareConsumerRunner<K, V> start() {
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
     * Runs the loop on the calling thread until {@link #close(Duration)} is called (from another thread or the
     * handler), the error policy stops it, or {@link Builder#maxRecords(long)} records are finished.
     *
     * @throws RecordProcessingException when the error policy stopped the runner
     * @throws NotAuthorizedException    when the cluster refused the runner its topic or group
     * @throws IllegalStateException     when the runner was started before
     * @throws RuntimeException          whatever else ended the loop
     */
    public void run() {
        begin();
        execute();
    }

    private void begin() {
        if (!state.compareAndSet(State.NEW, State.RUNNING)) {
            throw new IllegalStateException("runner " + name + " was started already");
        }
    }

    private void execute() {
        loopThread = Thread.currentThread();
        try {
            loop();
        } catch (Throwable e) {
            failure = e;
            NotAuthorizedException denied = NotAuthorizedException.in(e);
            if (denied != null) {
                engine.counters().denied(); // before the listener hears of the stop and the count down
                LOG.error("{}: stopped: {}", name, denied.getMessage());
            } else {
                LOG.error("{}: share consumer loop failed", name, e);
            }
        } finally {
            state.set(State.STOPPED);
            try {
                listener.onStopped(failure);
            } catch (RuntimeException e) {
                LOG.warn("{}: listener failed", name, e);
            }
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

    private void loop() {
        try (ShareConsumer<byte[], byte[]> c = consumerFactory.create(config)) {
            consumer = c;
            c.subscribe(topics);
            LOG.info("{} started: share group {}, topics {}", name, groupId, topics);
            try {
                while (state.get() == State.RUNNING && !engine.done()) {
                    ConsumerRecords<byte[], byte[]> polled;
                    try {
                        polled = c.poll(pollTimeout);
                    } catch (WakeupException e) {
                        continue;
                    }
                    engine.process(c, polled, () -> state.get() != State.RUNNING);
                }
            } catch (RuntimeException e) {
                throw Denials.ofConsume(e, groupId).<RuntimeException>map(d -> d).orElse(e);
            } finally {
                consumer = null;
            }
            c.close(closeTimeout);
            LOG.info("{} stopped: {}", name, engine.counters().snapshot());
        }
        if (engine.stopCause() != null) {
            throw engine.stopCause();
        }
    }

    /**
     * Stops the runner: wakes the consumer, lets the record in the handler finish, releases the rest of the poll,
     * commits the acknowledgements and closes the consumer. Idempotent. From the handler it only asks the loop to
     * stop and returns at once.
     *
     * @param timeout how long to wait for the loop to end
     * @return whether the loop ended within {@code timeout} (true as well when it never started)
     */
    public boolean close(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (state.compareAndSet(State.NEW, State.STOPPED)) {
            terminated.countDown();
            return true;
        }
        state.compareAndSet(State.RUNNING, State.CLOSING);
        if (Thread.currentThread() == loopThread) {
            return false;
        }
        ShareConsumer<byte[], byte[]> c = consumer;
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

    /** @return whether the loop is running (started and not yet ended) */
    public boolean isRunning() {
        return state.get() != State.NEW && terminated.getCount() > 0;
    }

    /** @return what ended the loop other than a close (a {@link RecordProcessingException} after STOP), or null */
    public Throwable failure() {
        return failure;
    }

    /** @return the counters as of now */
    public ShareRunnerMetrics metrics() {
        return engine.counters().snapshot();
    }

    /**
     * Settings of a {@link ShareConsumerRunner}. Ends with {@link #records(RecordHandler)}, which validates and
     * builds. Not thread safe.
     *
     * @param <K> key type
     * @param <V> value type
     */
    public static final class Builder<K, V> {
        private final Map<String, Object> config;
        private final Deserializer<K> keyDeserializer;
        private final Deserializer<V> valueDeserializer;
        private final List<String> topics = new ArrayList<>();
        private ErrorPolicy errorPolicy = ErrorPolicy.retry(3, Duration.ZERO, Duration.ZERO, ErrorPolicy.skip());
        private ShareConsumerRunnerListener listener = new ShareConsumerRunnerListener() { };
        private Duration pollTimeout = DEFAULT_POLL_TIMEOUT;
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
        private String name;
        private ShareConsumerFactory consumerFactory = ShareConsumerFactory.KAFKA;
        private long maxRecords = Long.MAX_VALUE;

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
         * @param policy what to do with failed records (see the mapping on {@link ShareConsumerRunner}); default: 3
         *               deliveries, then skip (REJECT)
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
        public Builder<K, V> listener(ShareConsumerRunnerListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
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
         * @param timeout bound on each acknowledgement commit, on closing the consumer, and the default wait of
         *                {@link ShareConsumerRunner#close()}; default 30 s
         * @return this
         */
        public Builder<K, V> closeTimeout(Duration timeout) {
            this.closeTimeout = positive(timeout, "closeTimeout");
            return this;
        }

        /**
         * @param name thread name and default client id; default {@code kafkalab-share-consumer-<group>-<n>}
         * @return this
         */
        public Builder<K, V> name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * @param factory creates the share consumer; default {@link ShareConsumerFactory#KAFKA}. Tests pass one that
         *                returns Kafka's {@code MockShareConsumer}.
         * @return this
         */
        public Builder<K, V> consumerFactory(ShareConsumerFactory factory) {
            this.consumerFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * Stops the runner by itself once exactly {@code records} records were finished (accepted or rejected); the
         * rest of that poll is released, the acknowledgements committed, and the loop ends.
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

        /** Builds a runner that hands the handler one record at a time. */
        public ShareConsumerRunner<K, V> records(RecordHandler<K, V> handler) {
            Objects.requireNonNull(handler, "handler");
            return new ShareConsumerRunner<>(this, handler);
        }

        private String groupId() {
            Object group = config.get(ConsumerConfig.GROUP_ID_CONFIG);
            if (group == null || group.toString().isBlank()) {
                throw new IllegalArgumentException("group.id must be set: a share consumer is a member of a share"
                        + " group");
            }
            return group.toString();
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
