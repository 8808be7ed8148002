package io.kafkalab.micrometer;

import io.kafkalab.consumer.ConsumerRunner;
import io.kafkalab.consumer.RunnerMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.apache.kafka.common.TopicPartition;

/**
 * Binds a {@link ConsumerRunner}'s {@link RunnerMetrics} to a {@link MeterRegistry}: function counters for records,
 * batches, commits, commit failures, retries, skipped, dead-lettered and deserialization failures; gauges for in
 * flight, awaiting retry, stopped, and lag per assigned partition. Every meter is tagged {@code runner} (the runner's
 * {@link ConsumerRunner#name() name}) and {@code group}; the lag gauges also {@code topic} and {@code partition}.
 * The names and meanings are in {@code docs/metrics.md}.
 *
 * <pre>{@code
 * new ConsumerRunnerMetrics(runner).bindTo(registry);
 * }</pre>
 *
 * <p><b>One snapshot per scrape.</b> The meters read {@link ConsumerRunner#metrics()} at most once per
 * {@code cacheFor} (default {@link #DEFAULT_CACHE_FOR}, 1 s): every meter of one scrape sees the same snapshot.
 *
 * <p><b>Lag per partition.</b> A gauge {@code kafkalab.runner.lag} is registered for a partition when a snapshot
 * first shows it assigned, and removed from the registry when a later snapshot no longer shows it (revoked or
 * lost), so a partition that went away keeps no stale value. Snapshots are taken when a meter of this binder is
 * read (a scrape) or by {@link #refresh()}: a newly assigned partition's gauge appears in the scrape after the one
 * that first saw it.
 *
 * <p>Thread safe. One instance binds to one registry ({@link #bindTo} a second time throws
 * {@link IllegalStateException}).
 */
public final class ConsumerRunnerMetrics implements MeterBinder {

    /** How long one snapshot of the runner's metrics serves the meters by default. */
    public static final Duration DEFAULT_CACHE_FOR = Duration.ofSeconds(1);

    private final Supplier<RunnerMetrics> source;
    private final Tags tags;
    private final long cacheForMillis;
    private final Clock clock;
    private final Object lock = new Object();
    private final Map<TopicPartition, Gauge> lagGauges = new HashMap<>();
    private MeterRegistry registry;
    private volatile RunnerMetrics snapshot;
    private long snapshotAt;
    private boolean taken;

    /**
     * Binds a runner, with snapshots cached for {@link #DEFAULT_CACHE_FOR}.
     *
     * @param runner the runner (started or not)
     */
    public ConsumerRunnerMetrics(ConsumerRunner<?, ?> runner) {
        this(Objects.requireNonNull(runner, "runner").name(), runner.groupId(), runner::metrics, DEFAULT_CACHE_FOR,
                Clock.systemUTC());
    }

    /**
     * @param runnerName the {@code runner} tag
     * @param groupId    the {@code group} tag
     * @param source     where the snapshots come from, usually {@code runner::metrics}
     * @param cacheFor   how long one snapshot serves the meters; {@link Duration#ZERO} reads the source on every
     *                   meter read
     * @param clock      the clock of {@code cacheFor}
     */
    public ConsumerRunnerMetrics(String runnerName, String groupId, Supplier<RunnerMetrics> source, Duration cacheFor,
                                 Clock clock) {
        Objects.requireNonNull(runnerName, "runnerName");
        Objects.requireNonNull(groupId, "groupId");
        this.source = Objects.requireNonNull(source, "source");
        Objects.requireNonNull(cacheFor, "cacheFor");
        if (cacheFor.isNegative()) {
            throw new IllegalArgumentException("cacheFor must be >= 0, but was " + cacheFor);
        }
        this.cacheForMillis = cacheFor.toMillis();
        this.clock = Objects.requireNonNull(clock, "clock");
        this.tags = Tags.of("runner", runnerName, "group", groupId);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        synchronized (lock) {
            if (this.registry != null) {
                throw new IllegalStateException("already bound to a registry: bind one ConsumerRunnerMetrics per registry");
            }
            this.registry = registry;
        }
        counter(registry, "kafkalab.runner.records", "records", "records the handler finished", RunnerMetrics::recordsProcessed);
        counter(registry, "kafkalab.runner.batches", "batches", "handler invocations that finished", RunnerMetrics::batchesProcessed);
        counter(registry, "kafkalab.runner.commits", "commits", "successful commits", RunnerMetrics::commits);
        counter(registry, "kafkalab.runner.commit.failures", "commits", "failed commits", RunnerMetrics::commitFailures);
        counter(registry, "kafkalab.runner.retries", "retries", "handler retries", RunnerMetrics::retries);
        counter(registry, "kafkalab.runner.skipped", "records", "records skipped by the error policy", RunnerMetrics::skipped);
        counter(registry, "kafkalab.runner.dead.lettered", "records", "records published to a dead-letter topic", RunnerMetrics::deadLettered);
        counter(registry, "kafkalab.runner.deserialization.failures", "records", "poison pills met", RunnerMetrics::deserializationFailures);
        counter(registry, "kafkalab.runner.transactions.committed", "transactions", "transactions committed (exactly-once mode)", RunnerMetrics::transactionsCommitted);
        counter(registry, "kafkalab.runner.transactions.aborted", "transactions", "transactions aborted (exactly-once mode)", RunnerMetrics::transactionsAborted);
        gauge(registry, "kafkalab.runner.in.flight", "records", "records handed out and not complete", RunnerMetrics::inFlight);
        gauge(registry, "kafkalab.runner.awaiting.retry", "records", "records or batches waiting for a retry", RunnerMetrics::awaitingRetry);
        gauge(registry, "kafkalab.runner.stopped", null, "1 when the error policy stopped the runner", RunnerMetrics::stopped);
        gauge(registry, "kafkalab.runner.denied", null, "1 when the runner stopped because the cluster refused it its topic, group or output topic", RunnerMetrics::denied);
        refresh();
    }

    /**
     * Takes a snapshot now (ignoring the cache) and registers or removes lag gauges to match its partitions.
     *
     * @return the snapshot
     */
    public RunnerMetrics refresh() {
        synchronized (lock) {
            take();
            return snapshot;
        }
    }

    private RunnerMetrics current() {
        synchronized (lock) {
            long now = clock.millis();
            if (!taken || now - snapshotAt >= cacheForMillis) {
                take();
            }
            return snapshot;
        }
    }

    /** Under lock. Removes the gauges of partitions gone before registering new ones. */
    private void take() {
        RunnerMetrics m = source.get();
        snapshot = m;
        snapshotAt = clock.millis();
        taken = true;
        for (Iterator<Map.Entry<TopicPartition, Gauge>> it = lagGauges.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<TopicPartition, Gauge> e = it.next();
            if (!m.lag().containsKey(e.getKey())) {
                registry.remove(e.getValue());
                it.remove();
            }
        }
        for (TopicPartition tp : m.lag().keySet()) {
            if (registry != null && !lagGauges.containsKey(tp)) {
                lagGauges.put(tp, Gauge.builder("kafkalab.runner.lag", this, ignored -> lagOf(tp)).strongReference(true)
                        .tags(tags).tags(List.of(Tag.of("topic", tp.topic()),
                                Tag.of("partition", Integer.toString(tp.partition()))))
                        .baseUnit("records")
                        .description("records behind the end of the partition, as of the runner's last poll")
                        .register(registry));
            }
        }
    }

    private double lagOf(TopicPartition tp) {
        Long lag = current().lag().get(tp);
        return lag == null ? Double.NaN : lag;
    }

    private void counter(MeterRegistry registry, String name, String unit, String description,
                         ToLongFunction<RunnerMetrics> value) {
        // the function holds this binder strongly (Micrometer holds the state object only weakly): the meters keep
        // working after the caller drops its reference to the binder
        FunctionCounter.builder(name, this, ignored -> value.applyAsLong(current()))
                .tags(tags).baseUnit(unit).description(description).register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String unit, String description,
                       ToLongFunction<RunnerMetrics> value) {
        Gauge.builder(name, this, ignored -> value.applyAsLong(current())).strongReference(true)
                .tags(tags).baseUnit(unit).description(description).register(registry);
    }
}
