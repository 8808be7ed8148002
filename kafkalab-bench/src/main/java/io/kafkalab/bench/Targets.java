package io.kafkalab.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.DoublePredicate;
import java.util.function.ToDoubleFunction;

/**
 * The targets that the README and the issues state for {@code ./kafkalab bench}, each checked against the rows of
 * a run: a target applies when its comparison ran, and it is a {@link Outcome#MISS} when the figure misses it or
 * the row it needs is not there. {@code ./kafkalab bench --check} exits non-zero on a miss, so a README figure is
 * verified with one command (on a quiet machine, at full size: the smoke run's tiny sizes are noise).
 */
final class Targets {

    /** How {@code ./kafkalab bench --check} exits when a target was missed (1 and 2 are picocli's). */
    static final int MISSED_EXIT_CODE = 3;

    private Targets() {
    }

    /** Met or not. */
    enum Outcome { PASS, MISS }

    /**
     * One target checked.
     *
     * @param target   what is promised, e.g. {@code "produce: kafkalab >= 0.98x raw, paired"}
     * @param source   where it is stated ({@code issue 21}, {@code README})
     * @param outcome  met or not
     * @param measured what the run measured
     */
    record Verdict(String target, String source, Outcome outcome, String measured) {

        Verdict {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(measured, "measured");
        }

        /** {@code PASS  produce: kafkalab >= 0.98x raw, paired: 0.99x  [issue 21]} */
        String line() {
            return String.format(Locale.ROOT, "%-4s  %s: %s  [%s]", outcome, target, measured, source);
        }
    }

    /** Every target whose comparison is among {@code rows}, in the order of the comparisons. */
    static List<Verdict> evaluate(List<Row> rows, BenchSettings s) {
        List<Verdict> out = new ArrayList<>();
        if (ran(rows, "produce")) {
            out.add(pairedAtLeast(rows, "produce", "kafkalab", "raw", 0.98, "produce: kafkalab >= 0.98x raw, paired",
                    "issue 21"));
            out.add(atLeast(rows, "produce", "kafkalab", r -> r.ratio() / ratioOf(rows, "produce", "lab-flush-each"),
                    10, "x", "produce: the AT_LEAST_ONCE preset >= 10x the lab's flush() per message", "README"));
        }
        if (ran(rows, "peers produce") && row(rows, "peers produce", "kcat").isPresent()) {
            out.add(pairedAtLeast(rows, "peers produce", PeerBench.KAFKALAB, "kcat", 1.0,
                    "peers produce: the AT_LEAST_ONCE preset >= kcat (acks=all, idempotence), paired", "issue 21"));
        }
        if (ran(rows, "consume")) {
            out.add(atLeast(rows, "consume", "single afterEachPoll async", Row::pairedRatio, 0.95, "x",
                    "consume: single afterEachPoll async >= 0.95x raw commitAsync/poll, paired", "issue 13"));
            out.add(atLeast(rows, "consume", "batch afterEachPoll async", Row::pairedRatio, 1.0, "x",
                    "consume: batch afterEachPoll async >= 1.0x raw commitAsync/poll, paired", "issue 13"));
        }
        if (ran(rows, "ui")) {
            for (String variant : List.of("api topics page", "api groups page")) {
                out.add(atMost(rows, "ui", variant, Row::p99Millis, 2000, " ms", "ui: " + variant
                        + " p99 <= 2000 ms (the page asks every 2 s) at " + s.uiTopics() + " topics, " + s.uiGroups()
                        + " groups", "issue 16"));
            }
        }
        if (ran(rows, "http") && row(rows, "http", "lab flask").isPresent()) {
            for (String[] pair : List.of(new String[] {"kafkalab http", "lab flask"},
                    new String[] {"kafkalab http 100 B segments", "lab flask 100 B segments"})) {
                double flaskRate = row(rows, "http", pair[1]).map(Row::recordsPerSecond).orElse(Double.NaN);
                double flaskP99 = row(rows, "http", pair[1]).map(Row::p99Millis).orElse(Double.NaN);
                out.add(atLeast(rows, "http", pair[0], r -> r.recordsPerSecond() / flaskRate, 10, "x",
                        "http: " + pair[0] + " >= 10x " + pair[1] + " requests/s", "issue 17"));
                out.add(atMost(rows, "http", pair[0], r -> r.p99Millis() / flaskP99, 0.1, "x",
                        "http: " + pair[0] + " p99 <= 0.1x " + pair[1] + "'s", "issue 17"));
            }
            if (row(rows, "http", HttpBench.WIDE_FLASK).isPresent()) {
                // every variant fails on any error, so a wide row that exists had none
                double flaskRate = row(rows, "http", HttpBench.WIDE_FLASK).map(Row::recordsPerSecond)
                        .orElse(Double.NaN);
                out.add(atLeast(rows, "http", HttpBench.WIDE_KAFKALAB, r -> r.recordsPerSecond() / flaskRate, 20, "x",
                        "http: " + HttpBench.WIDE_KAFKALAB + " >= 20x " + HttpBench.WIDE_FLASK + " requests/s, no"
                                + " errors", "issue 17"));
            }
        }
        if (ran(rows, "retry")) {
            out.add(atLeast(rows, "retry", "non-blocking retries", Row::pairedRatio, 0.9, "x",
                    "retry: the other records' rate with 1 % failing twice >= 0.9x without failures, paired",
                    "issue 18"));
        }
        if (ran(rows, "large")) {
            double messageMegabytes = s.largeBytes() / 1e6;
            out.add(atMost(rows, "large", "kafkalab segmented", r -> r.peakHeapMegabytes() / messageMegabytes, 2.0,
                    "x", "large: segmented peak heap < 2x the message", "README"));
        }
        List<String> parallel = rows.stream().map(Row::comparison).filter(c -> c.startsWith("parallel ")).distinct()
                .toList();
        for (String comparison : parallel) {
            out.add(atMost(rows, comparison, "kafkalab", Row::boundRatio, 2.0, "x",
                    comparison + ": kafkalab within 2x of the physical bound", "issue 13"));
            if (comparison.equals("parallel KEY 100 keys")) {
                // stated for the published 10 000 records: 50 µs a record
                long records = rows.stream().filter(r -> r.comparison().equals(comparison)).findFirst()
                        .orElseThrow().records();
                double limit = 0.5 * records / ParallelWorkload.PUBLISHED_RECORDS;
                String scaled = records == ParallelWorkload.PUBLISHED_RECORDS ? ""
                        : String.format(Locale.ROOT, " (scaled to %,d records: <= %.3f s)", records, limit);
                out.add(atMost(rows, comparison, "kafkalab", Row::seconds, limit, " s",
                        comparison + ": kafkalab <= 0.5 s for 10 000 records" + scaled, "issue 13"));
            }
        }
        return out;
    }

    /**
     * The exit code of a run that checked {@code verdicts}: {@link #MISSED_EXIT_CODE} when {@code check} is on
     * and a target was missed, else 0.
     */
    static int exitCode(List<Verdict> verdicts, boolean check) {
        boolean missed = verdicts.stream().anyMatch(v -> v.outcome() == Outcome.MISS);
        return check && missed ? MISSED_EXIT_CODE : 0;
    }

    /** The median over repeats of {@code row}'s rate over {@code other}'s in the same repeat. */
    static double pairedOver(Row row, Row other) {
        List<Double> ratios = pairRatios(row, other);
        return ratios.isEmpty() ? Double.NaN : Stats.median(ratios);
    }

    /**
     * {@code variant}'s rate over {@code baseline}'s, repeat by repeat, at least {@code limit}: with 6 repeats or
     * more the low end of the median's 95 % interval must reach it, so that a pass says the run resolved the
     * difference; with fewer, the median (and the verdict says so).
     */
    private static Verdict pairedAtLeast(List<Row> rows, String comparison, String variant, String baseline,
                                         double limit, String target, String source) {
        Optional<Row> row = row(rows, comparison, variant);
        Optional<Row> base = row(rows, comparison, baseline);
        if (row.isEmpty() || base.isEmpty()) {
            return new Verdict(target, source, Outcome.MISS, "not measured (no row '"
                    + (row.isEmpty() ? variant : baseline) + "')");
        }
        List<Double> ratios = pairRatios(row.get(), base.get());
        if (ratios.isEmpty()) {
            return new Verdict(target, source, Outcome.MISS, "not measured (no repeats)");
        }
        Optional<double[]> interval = Stats.medianInterval(ratios);
        if (interval.isEmpty()) {
            double median = Stats.median(ratios);
            return new Verdict(target, source, median >= limit ? Outcome.PASS : Outcome.MISS, String.format(Locale.ROOT,
                    "%.3fx (median of %d repeats; 6 or more give a 95 %% interval)", median, ratios.size()));
        }
        double low = interval.get()[0];
        return new Verdict(target, source + ", 95 % interval", low >= limit ? Outcome.PASS : Outcome.MISS,
                String.format(Locale.ROOT, "%.3fx-%.3fx, median %.3fx over %d repeats", low, interval.get()[1],
                        Stats.median(ratios), ratios.size()));
    }

    /** {@code row}'s rate over {@code other}'s in each repeat both ran. */
    static List<Double> pairRatios(Row row, Row other) {
        int n = Math.min(row.runs().size(), other.runs().size());
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ratios.add(row.runs().get(i) / other.runs().get(i));
        }
        return ratios;
    }

    private static boolean ran(List<Row> rows, String comparison) {
        return rows.stream().anyMatch(r -> r.comparison().equals(comparison));
    }

    private static Optional<Row> row(List<Row> rows, String comparison, String variant) {
        return rows.stream().filter(r -> r.comparison().equals(comparison) && r.variant().equals(variant))
                .findFirst();
    }

    private static double ratioOf(List<Row> rows, String comparison, String variant) {
        return row(rows, comparison, variant).map(Row::ratio).orElse(Double.NaN);
    }

    private static Verdict atLeast(List<Row> rows, String comparison, String variant, ToDoubleFunction<Row> figure,
                                   double limit, String unit, String target, String source) {
        return check(rows, comparison, variant, figure, v -> v >= limit, unit, target, source);
    }

    private static Verdict atMost(List<Row> rows, String comparison, String variant, ToDoubleFunction<Row> figure,
                                  double limit, String unit, String target, String source) {
        return check(rows, comparison, variant, figure, v -> v <= limit, unit, target, source);
    }

    private static Verdict check(List<Row> rows, String comparison, String variant, ToDoubleFunction<Row> figure,
                                 DoublePredicate met, String unit, String target, String source) {
        Optional<Row> row = row(rows, comparison, variant);
        if (row.isEmpty()) {
            return new Verdict(target, source, Outcome.MISS, "not measured (no row '" + variant + "')");
        }
        double value = figure.applyAsDouble(row.get());
        if (Double.isNaN(value)) {
            return new Verdict(target, source, Outcome.MISS, "not measured");
        }
        String measured = String.format(Locale.ROOT, "%.3f%s", value, unit);
        return new Verdict(target, source, met.test(value) ? Outcome.PASS : Outcome.MISS, measured);
    }
}
