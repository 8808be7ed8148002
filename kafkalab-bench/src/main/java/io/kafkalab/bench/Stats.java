package io.kafkalab.bench;

import java.util.Arrays;
import java.util.List;

/** Medians and percentiles. */
final class Stats {

    private Stats() {
    }

    /** @return the median (upper median for an even count) */
    static double median(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values");
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[sorted.length / 2];
    }

    /**
     * Nearest-rank percentile.
     *
     * @param values  any order; sorted in place
     * @param percent 0 to 100
     */
    static double percentile(long[] values, double percent) {
        if (values.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(values);
        int rank = (int) Math.ceil(percent / 100 * values.length);
        return values[Math.max(0, Math.min(values.length - 1, rank - 1))];
    }
}
