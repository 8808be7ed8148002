package io.kafkalab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The median's distribution-free 95 % interval: the sign test's order statistics, whatever the order given. */
class StatsTest {

    @Test
    void theIntervalIsTheSignTestsOrderStatistics() {
        // ranks from the binomial(n, 1/2) tables: 6 -> 1st and 6th, 10 -> 2nd and 9th, 15 -> 4th and 12th,
        // 30 -> 10th and 21st, 100 -> 40th and 61st
        assertThat(interval(6)).containsExactly(1, 6);
        assertThat(interval(10)).containsExactly(2, 9);
        assertThat(interval(15)).containsExactly(4, 12);
        assertThat(interval(30)).containsExactly(10, 21);
        assertThat(interval(100)).containsExactly(40, 61);
    }

    @Test
    void fewerThanSixValuesHaveNoInterval() {
        assertThat(Stats.medianInterval(values(5))).isEmpty();
        assertThat(Stats.medianInterval(List.of())).isEmpty();
    }

    /** The values 1..n, shuffled; the interval's ends are then their ranks. */
    private static double[] interval(int n) {
        return Stats.medianInterval(values(n)).orElseThrow();
    }

    private static List<Double> values(int n) {
        List<Double> values = new ArrayList<>(IntStream.rangeClosed(1, n).mapToObj(i -> (double) i).toList());
        Collections.shuffle(values, new java.util.Random(n));
        return values;
    }
}
