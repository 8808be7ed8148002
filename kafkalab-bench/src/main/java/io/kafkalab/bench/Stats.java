package io.kafkalab.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Medians, percentiles and the median's confidence interval. */
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
     * A distribution-free 95 % confidence interval of the median: the {@code k}-th smallest and {@code k}-th largest
     * value for the largest {@code k} such that a sample of this size straddles the true median with probability at
     * least 0.95 (the binomial sign-test interval). It assumes nothing about the distribution, only that the
     * values are independent, which is why a paired ratio's interval says whether a run resolved a 2 % difference.
     *
     * @param values any order
     * @return {@code [low, high]}, or empty for fewer than 6 values (no interval of order statistics reaches 95 %)
     */
    static Optional<double[]> medianInterval(List<Double> values) {
        int n = values.size();
        // P(X <= j) for X ~ Binomial(n, 1/2), summed term by term; the interval [x(k), x(n-k+1)] misses the median
        // with probability 2 P(X <= k-1)
        double term = Math.pow(0.5, n);
        double below = 0;
        int k = 0;
        for (int j = 0; j < n / 2; j++) {
            below += term;
            if (2 * below > 0.05) {
                break;
            }
            k = j + 1;
            term = term * (n - j) / (j + 1);
        }
        if (k == 0) {
            return Optional.empty();
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return Optional.of(new double[] {sorted[k - 1], sorted[n - k]});
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
