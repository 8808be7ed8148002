package io.kafkalab.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** What the cluster watch says, and when, on a clock of the test's. */
class ClusterWatchTest {

    /** A clock the test moves. */
    private static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-12-01T12:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final TestClock clock = new TestClock();
    private final ClusterWatch.Outage outage = new ClusterWatch.Outage("single-consumer", "127.0.0.1:9092", clock);

    @Test
    void saysNothingWhileTheClusterAnswers() {
        for (int i = 0; i < 100; i++) {
            assertThat(outage.checked(true)).isNull();
            clock.advance(Duration.ofSeconds(1));
        }
    }

    @Test
    void saysSoAfterFiveSecondsWithoutAnAnswerThenOnceAMinuteThenWhenItIsBack() {
        for (int i = 0; i < 5; i++) {
            assertThat(outage.checked(false)).as("after %d s", i).isNull();
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(outage.checked(false)).isEqualTo("single-consumer: no Kafka broker answers at 127.0.0.1:9092 for 5 s;"
                + " retrying until the cluster is back (start it with ./kafkalab cluster; Ctrl-C stops this command)");
        for (int i = 1; i < 60; i++) {
            clock.advance(Duration.ofSeconds(1));
            assertThat(outage.checked(false)).as("%d s after the first line", i).isNull();
        }
        clock.advance(Duration.ofSeconds(1));
        assertThat(outage.checked(false))
                .isEqualTo("single-consumer: still no Kafka broker at 127.0.0.1:9092 after 65 s; retrying");
        clock.advance(Duration.ofSeconds(2));
        assertThat(outage.checked(true))
                .isEqualTo("single-consumer: the cluster at 127.0.0.1:9092 answers again, after 67 s without");
        assertThat(outage.checked(true)).isNull();
    }

    @Test
    void aShortGapIsNotReportedAndDoesNotCountTowardsTheNext() {
        for (int i = 0; i < 4; i++) {
            assertThat(outage.checked(false)).isNull();
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(outage.checked(true)).as("back before the report: no line either way").isNull();
        for (int i = 0; i < 5; i++) {
            assertThat(outage.checked(false)).as("a new gap counts from its own start, %d s", i).isNull();
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(outage.checked(false)).startsWith("single-consumer: no Kafka broker answers at 127.0.0.1:9092 for 5 s;");
    }
}
