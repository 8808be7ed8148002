package io.kafkalab.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the variants of one comparison back to back, repeated, rotating which variant goes first in each repeat and
 * letting the machine settle before each run ({@link #settle()}) so that none pays for another's leftovers (page
 * cache, garbage), and turns the rates into rows: medians, ratio of medians to the baseline, and the median of the
 * per-repeat ratios.
 */
final class Variants {

    /**
     * How many records a run sends or reads: {@code records}, or at most {@code warmUpRecords} in the uncounted
     * warm-up ({@code repeat} -1), which only has to warm the JIT up.
     */
    static int records(int repeat, int records, int warmUpRecords) {
        return repeat < 0 ? Math.min(records, warmUpRecords) : records;
    }

    /** One timed run of a variant. */
    @FunctionalInterface
    interface Run {
        /** @param repeat 0-based, or -1 for the uncounted warm-up */
        Measurement run(int repeat) throws Exception;
    }

    /** What one run measured. */
    record Measurement(long records, long bytes, double seconds, long[] latenciesNanos, long peakHeapBytes,
                       long peakLiveBytes, long clientCpuNanos, long clientAllocatedBytes) {

        Measurement(long records, long bytes, double seconds, long[] latenciesNanos, long peakHeapBytes,
                    long peakLiveBytes, long clientCpuNanos) {
            this(records, bytes, seconds, latenciesNanos, peakHeapBytes, peakLiveBytes, clientCpuNanos, -1);
        }

        static Measurement of(long records, long bytes, double seconds) {
            return new Measurement(records, bytes, seconds, new long[0], -1, -1, -1);
        }

        double rate() {
            return records / seconds;
        }
    }

    private record Variant(String name, String note, double boundSeconds, double publishedSeconds, Run run) {
    }

    private final String comparison;
    private final List<Variant> variants = new ArrayList<>();

    Variants(String comparison) {
        this.comparison = comparison;
    }

    /** Adds a variant; the first one added is the baseline. */
    Variants add(String name, String note, Run run) {
        return add(name, note, Double.NaN, Double.NaN, run);
    }

    /**
     * Adds a variant of a timed workload: one whose physical bound and published time are known.
     *
     * @param boundSeconds     the least time any implementation can take, or {@code NaN}
     * @param publishedSeconds a time published elsewhere for the same workload, or {@code NaN}
     */
    Variants add(String name, String note, double boundSeconds, double publishedSeconds, Run run) {
        variants.add(new Variant(name, note, boundSeconds, publishedSeconds, run));
        return this;
    }

    /**
     * @param repeats counted repeats, at least 1
     * @param warmUpRounds uncounted rounds of every variant first (the JIT warms up on every variant; the cluster in
     *                     this JVM keeps speeding up for minutes, so a long run of one comparison wants several)
     */
    List<Row> run(int repeats, int warmUpRounds, Progress progress) throws Exception {
        for (int round = 0; round < warmUpRounds; round++) {
            for (Variant v : variants) {
                progress.line("  warm-up " + comparison + "/" + v.name()
                        + (warmUpRounds > 1 ? " " + (round + 1) + "/" + warmUpRounds : ""));
                v.run().run(-1);
            }
        }
        Map<String, List<Measurement>> results = new LinkedHashMap<>();
        variants.forEach(v -> results.put(v.name(), new ArrayList<>()));
        for (int r = 0; r < repeats; r++) {
            for (int i = 0; i < variants.size(); i++) {
                Variant v = variants.get((i + r) % variants.size());
                settle();
                Measurement m = v.run().run(r);
                progress.line(String.format(java.util.Locale.ROOT, "  %s/%s repeat %d: %,.0f records/s (%.3f s)",
                        comparison, v.name(), r + 1, m.rate(), m.seconds()));
                results.get(v.name()).add(m);
            }
        }
        List<Measurement> base = results.get(variants.get(0).name());
        double baseRate = Stats.median(base.stream().map(Measurement::rate).toList());
        List<Row> rows = new ArrayList<>();
        for (Variant v : variants) {
            List<Measurement> ms = results.get(v.name());
            List<Double> rates = ms.stream().map(Measurement::rate).toList();
            List<Double> pairs = new ArrayList<>();
            for (int i = 0; i < ms.size(); i++) {
                pairs.add(ms.get(i).rate() / base.get(i).rate());
            }
            double rate = Stats.median(rates);
            double mbps = Stats.median(ms.stream().map(m -> m.bytes() / m.seconds() / 1e6).toList());
            long[] latencies = ms.stream().flatMapToLong(m -> java.util.Arrays.stream(m.latenciesNanos())).toArray();
            long peakHeap = ms.stream().mapToLong(Measurement::peakHeapBytes).max().orElse(-1);
            long peakLive = ms.stream().mapToLong(Measurement::peakLiveBytes).max().orElse(-1);
            List<Double> cpu = ms.stream().filter(m -> m.clientCpuNanos() >= 0)
                    .map(m -> m.clientCpuNanos() / 1e3 / m.records()).toList();
            List<Double> allocated = ms.stream().filter(m -> m.clientAllocatedBytes() >= 0)
                    .map(m -> (double) m.clientAllocatedBytes() / m.records()).toList();
            rows.add(new Row(comparison, v.name(), ms.get(0).records(), rate, mbps,
                    Stats.percentile(latencies, 50) / 1e6, Stats.percentile(latencies, 99) / 1e6, rate / baseRate,
                    Stats.median(pairs), peakHeap < 0 ? Double.NaN : peakHeap / 1e6,
                    peakLive < 0 ? Double.NaN : peakLive / 1e6, cpu.isEmpty() ? Double.NaN : Stats.median(cpu),
                    allocated.isEmpty() ? Double.NaN : Stats.median(allocated), cpu, rates,
                    v.boundSeconds(), v.publishedSeconds(), v.note()));
        }
        return rows;
    }

    /**
     * Lets the machine settle before a timed run, so that no run pays for the previous one: the garbage of earlier
     * runs collected (the brokers share this JVM) and the data they wrote to the page cache written back to disk
     * ({@code sync}), which otherwise competes with the next run for the same two cores.
     */
    static void settle() {
        System.gc();
        try {
            Process sync = new ProcessBuilder("sync").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!sync.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                sync.destroyForcibly();
            }
        } catch (java.io.IOException e) {
            // no sync command (not Unix): the collection alone still helps
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Where a run reports what it is doing (stdout for the command, a list in tests). */
    @FunctionalInterface
    interface Progress {
        void line(String line);
    }
}
