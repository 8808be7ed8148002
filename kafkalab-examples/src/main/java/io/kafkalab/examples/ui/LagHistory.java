package io.kafkalab.examples.ui;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Each consumer group's total lag over time, kept in memory while the UI runs: the newest {@code maxSamples} samples
 * per group, the oldest dropped first. Nothing is written anywhere; a restart starts empty. Thread safe.
 */
final class LagHistory {

    /** One sample: when (milliseconds since the epoch) and the group's total lag then. */
    record Sample(long timeMillis, long lag) {
    }

    private final Clock clock;
    private final int maxSamples;
    private final Map<String, Deque<Sample>> samples = new HashMap<>();

    /**
     * @param clock      what "now" is when a sample is recorded
     * @param maxSamples how many samples a group keeps, at least 1
     */
    LagHistory(Clock clock, int maxSamples) {
        this.clock = Objects.requireNonNull(clock, "clock");
        if (maxSamples < 1) {
            throw new IllegalArgumentException("maxSamples must be >= 1, but was " + maxSamples);
        }
        this.maxSamples = maxSamples;
    }

    /**
     * Records the lag of every group sampled now (one timestamp for all of them).
     *
     * @param lagByGroup each group's total lag
     */
    synchronized void record(Map<String, Long> lagByGroup) {
        long now = clock.millis();
        lagByGroup.forEach((group, lag) -> {
            Deque<Sample> d = samples.computeIfAbsent(group, g -> new ArrayDeque<>());
            d.addLast(new Sample(now, lag));
            while (d.size() > maxSamples) {
                d.removeFirst();
            }
        });
    }

    /**
     * @param group a group id
     * @return its samples, oldest first; empty when it was never sampled
     */
    synchronized List<Sample> of(String group) {
        Deque<Sample> d = samples.get(group);
        return d == null ? List.of() : List.copyOf(new ArrayList<>(d));
    }
}
