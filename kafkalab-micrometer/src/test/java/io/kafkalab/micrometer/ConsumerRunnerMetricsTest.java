package io.kafkalab.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kafkalab.consumer.RunnerMetrics;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ConsumerRunnerMetricsTest {

    private static final TopicPartition P0 = new TopicPartition("orders", 0);
    private static final TopicPartition P1 = new TopicPartition("orders", 1);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicReference<RunnerMetrics> snapshot = new AtomicReference<>(metrics(0, Map.of()));
    private final AtomicInteger reads = new AtomicInteger();

    private static RunnerMetrics metrics(long n, Map<TopicPartition, Long> lag) {
        return new RunnerMetrics(n, n + 1, n + 2, n + 3, n + 4, n + 5, n + 6, n + 7, 1, Map.of(), lag, 0, null, 0,
                n + 8, 0, n + 9, n + 10, n + 11, 1);
    }

    private ConsumerRunnerMetrics bind(Duration cacheFor, Clock clock) {
        ConsumerRunnerMetrics binder = new ConsumerRunnerMetrics("r1", "g1", () -> {
            reads.incrementAndGet();
            return snapshot.get();
        }, cacheFor, clock);
        binder.bindTo(registry);
        return binder;
    }

    private double counter(String name) {
        return registry.get(name).tags("runner", "r1", "group", "g1").functionCounter().count();
    }

    private double gauge(String name) {
        return registry.get(name).tags("runner", "r1", "group", "g1").gauge().value();
    }

    @Test
    void everyCounterAndGaugeShowsItsFieldOfTheSnapshot() {
        bind(Duration.ZERO, Clock.systemUTC());
        snapshot.set(metrics(100, Map.of()));
        assertThat(counter("kafkalab.runner.records")).isEqualTo(100);
        assertThat(counter("kafkalab.runner.batches")).isEqualTo(101);
        assertThat(counter("kafkalab.runner.commits")).isEqualTo(102);
        assertThat(counter("kafkalab.runner.commit.failures")).isEqualTo(103);
        assertThat(counter("kafkalab.runner.retries")).isEqualTo(104);
        assertThat(counter("kafkalab.runner.skipped")).isEqualTo(105);
        assertThat(counter("kafkalab.runner.dead.lettered")).isEqualTo(106);
        assertThat(counter("kafkalab.runner.deserialization.failures")).isEqualTo(107);
        assertThat(counter("kafkalab.runner.transactions.committed")).isEqualTo(110);
        assertThat(counter("kafkalab.runner.transactions.aborted")).isEqualTo(111);
        assertThat(gauge("kafkalab.runner.in.flight")).isEqualTo(108);
        assertThat(gauge("kafkalab.runner.awaiting.retry")).isEqualTo(109);
        assertThat(gauge("kafkalab.runner.stopped")).isEqualTo(1);
        assertThat(gauge("kafkalab.runner.denied")).isEqualTo(1);
        assertThat(registry.get("kafkalab.runner.records").functionCounter().getId().getBaseUnit())
                .isEqualTo("records");
    }

    @Test
    void theMetersKeepReadingTheRunnerAfterTheCallerDropsTheBinder() {
        bind(Duration.ZERO, Clock.systemUTC()); // not kept, as in new ConsumerRunnerMetrics(runner).bindTo(registry)
        snapshot.set(metrics(100, Map.of(P0, 7L)));
        for (int i = 0; i < 3; i++) {
            System.gc(); // a binder held only weakly would be gone now, its meters frozen at 0
        }
        assertThat(counter("kafkalab.runner.records")).isEqualTo(100);
        assertThat(gauge("kafkalab.runner.in.flight")).isEqualTo(108);
        assertThat(registry.get("kafkalab.runner.lag").tags("partition", "0").gauge().value()).isEqualTo(7);
    }

    @Test
    void lagGaugesFollowThePartitionsAndGoneOnesLeaveTheRegistry() {
        ConsumerRunnerMetrics binder = bind(Duration.ZERO, Clock.systemUTC());
        assertThat(registry.find("kafkalab.runner.lag").gauges()).isEmpty();

        snapshot.set(metrics(1, Map.of(P0, 5L, P1, 7L)));
        binder.refresh();
        assertThat(lag(0)).isEqualTo(5);
        assertThat(lag(1)).isEqualTo(7);

        snapshot.set(metrics(2, Map.of(P1, 0L)));
        assertThat(lag(1)).isZero(); // reading it takes the snapshot that drops partition 0
        assertThat(registry.find("kafkalab.runner.lag").gauges()).extracting(g -> g.getId().getTag("partition"))
                .containsExactly("1");
    }

    private double lag(int partition) {
        return registry.get("kafkalab.runner.lag").tags("runner", "r1", "group", "g1", "topic", "orders",
                "partition", Integer.toString(partition)).gauge().value();
    }

    @Test
    void oneSnapshotServesEveryMeterUntilTheCacheExpires() {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-02T12:00:00Z"));
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        bind(Duration.ofSeconds(1), clock);
        int afterBind = reads.get();
        snapshot.set(metrics(50, Map.of()));
        for (Meter m : registry.getMeters()) {
            m.measure().forEach(measurement -> measurement.getValue());
        }
        assertThat(reads.get()).isEqualTo(afterBind);
        assertThat(counter("kafkalab.runner.records")).isZero();

        now.set(now.get().plusSeconds(1));
        assertThat(counter("kafkalab.runner.records")).isEqualTo(50);
        assertThat(gauge("kafkalab.runner.in.flight")).isEqualTo(58);
        assertThat(reads.get()).isEqualTo(afterBind + 1);
    }

    @Test
    void bindingTwiceIsRefused() {
        ConsumerRunnerMetrics binder = bind(Duration.ZERO, Clock.systemUTC());
        assertThatThrownBy(() -> binder.bindTo(new SimpleMeterRegistry())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already bound");
    }
}
