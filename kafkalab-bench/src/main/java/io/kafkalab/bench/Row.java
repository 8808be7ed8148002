package io.kafkalab.bench;

import java.util.List;
import java.util.Objects;

/**
 * One measured variant of one comparison: medians over the repeats of one run.
 *
 * @param comparison         which comparison ({@code produce}, {@code consume}, {@code large}, {@code http},
 *                           {@code peers produce}, {@code parallel KEY 100 keys}, ...)
 * @param variant            the variant's name; the baseline of its comparison has {@code ratio} 1
 * @param records            records (or requests, or messages) per repeat
 * @param recordsPerSecond   median rate
 * @param megabytesPerSecond median payload rate in MB/s (10^6 bytes)
 * @param p50Millis          median latency in ms, or {@code NaN} where latency is not measured
 * @param p99Millis          99th percentile latency in ms, or {@code NaN}
 * @param ratio              median rate divided by the baseline's median rate
 * @param peakHeapMegabytes  the largest peak heap in use (garbage included) of the repeats in MB, or {@code NaN}
 *                           where not measured
 * @param peakLiveMegabytes  the largest heap in use after a garbage collection in MB, or {@code NaN}
 * @param clientCpuMicros    median CPU time of the client's threads per record in microseconds, or {@code NaN}
 * @param clientAllocatedBytes median heap bytes the client's threads allocated per record, or {@code NaN}
 * @param clientCpuRuns      the client CPU µs per record of each repeat (empty where not measured)
 * @param pairedRatio        median of the per-repeat ratios to the baseline of the same repeat (cancels drift
 *                           between repeats); equals {@code ratio} when there is one repeat
 * @param runs               the rate of each repeat
 * @param boundSeconds       for a timed workload ({@code parallel}), the least time any implementation can take for
 *                           {@code records}, else {@code NaN}
 * @param publishedSeconds   a time published elsewhere for the same workload (parallel-consumer's README), else
 *                           {@code NaN}
 * @param note               what the variant does
 */
public record Row(String comparison, String variant, long records, double recordsPerSecond, double megabytesPerSecond,
                  double p50Millis, double p99Millis, double ratio, double pairedRatio, double peakHeapMegabytes,
                  double peakLiveMegabytes, double clientCpuMicros, double clientAllocatedBytes,
                  List<Double> clientCpuRuns, List<Double> runs, double boundSeconds,
                  double publishedSeconds, String note) {

    /** Validates and copies. */
    public Row {
        Objects.requireNonNull(comparison, "comparison");
        Objects.requireNonNull(variant, "variant");
        runs = List.copyOf(runs);
        clientCpuRuns = List.copyOf(clientCpuRuns);
        Objects.requireNonNull(note, "note");
    }

    /** The median time of a repeat: {@code records} over the median rate. */
    public double seconds() {
        return records / recordsPerSecond;
    }

    /** The median time over the bound (1 is the bound itself), or {@code NaN} where there is no bound. */
    public double boundRatio() {
        return seconds() / boundSeconds;
    }
}
