package io.kafkalab.examples.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LagHistoryTest {

    /** A clock a test moves by hand. */
    private static final class HandClock extends Clock {
        long millis = 1_000;

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
            return Instant.ofEpochMilli(millis);
        }
    }

    @Test
    void keepsEachGroupsNewestSamplesOldestFirst() {
        HandClock clock = new HandClock();
        LagHistory history = new LagHistory(clock, 3);
        for (long lag = 10; lag <= 50; lag += 10) {
            history.record(Map.of("a", lag, "b", lag * 2));
            clock.millis += 2_000;
        }
        assertThat(history.of("a")).containsExactly(new LagHistory.Sample(5_000, 30), new LagHistory.Sample(7_000, 40),
                new LagHistory.Sample(9_000, 50));
        assertThat(history.of("b")).extracting(LagHistory.Sample::lag).containsExactly(60L, 80L, 100L);
        assertThat(history.of("never")).isEmpty();
    }
}
