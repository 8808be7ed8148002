package io.kafkalab.bench;

import io.kafkalab.testkit.EmbeddedKafkaCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./kafkalab bench}: the end-to-end comparisons on one embedded 3-broker cluster, each variant beside its
 * baseline in the same run; prints a table per comparison and writes CSV, JSON, Markdown and an SVG chart; then
 * prints PASS or MISS against each stated target ({@link Targets}) and, with {@code --check}, exits
 * {@value Targets#MISSED_EXIT_CODE} when one is missed.
 */
@Command(name = "kafkalab bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs kafkalab beside the raw Kafka client (and kcat and kafka-python when installed) on an"
                + " embedded 3-broker cluster, topics with 3 partitions and replication factor 2; every comparison"
                + " runs its variants back to back, repeated, and reports medians and ratios to its baseline.",
                "ui times the UI's JSON API (./kafkalab ui) on 1 000 topics and 200 consumer groups beside a plain Admin"
                        + " client asking the same of Kafka.",
                "parallel runs parallel-consumer's published workload (10 000 records, 1 partition, 0-5 ms per record,"
                        + " concurrency 100) through parallel-consumer and the runner, beside the physical bound.",
                "retry: 1 %% of the records fail twice with a 1 s backoff; the other records' rate with the runner's"
                        + " non-blocking retries, without failures, and with blocking retries (a handler that sleeps).",
                "latency: one acknowledged send at a time, p50 and p99, for each delivery guarantee beside a raw"
                        + " send().get().",
                "Then prints PASS or MISS against each target the README and the issues state; --check exits "
                        + Targets.MISSED_EXIT_CODE + " when one is missed.",
                "The in-memory benchmarks (serdes, segmenting) are JMH: io.kafkalab.bench.Benchmarks."})
public final class BenchCommand implements Callable<Integer> {

    /** The comparisons, in the order they run. */
    public enum Comparison { PRODUCE, CONSUME, LARGE, HTTP, PEERS, PARALLEL, UI, RETRY, LATENCY, TUNING }

    @Parameters(arity = "0..*", paramLabel = "COMPARISON", description = "produce, consume, large, http, peers,"
            + " parallel, ui, retry, latency, tuning; default: all of them")
    List<String> comparisons = new ArrayList<>();

    @Option(names = "--smoke", description = "Tiny sizes, one repeat, no warm-up: shows the harness works in seconds.")
    boolean smoke;

    @Option(names = "--records", description = "Records of 100 bytes to produce and consume (default 1000000).")
    Integer records;

    @Option(names = "--slow-records", description = "Records for the flush- or commit-per-record variants"
            + " (default 20000).")
    Integer slowRecords;

    @Option(names = "--repeats", description = "Counted repeats of every comparison (default 3).")
    Integer repeats;

    @Option(names = "--warm-up-rounds", description = "Uncounted rounds of every variant before the counted ones"
            + " (default 1; none with --smoke). Warm-up rounds are short (produce: 200000 records); the cluster in this JVM"
            + " keeps speeding up for minutes, so a long run that must resolve a few percent wants several.")
    Integer warmUpRounds;

    @Option(names = "--large-bytes", description = "Size of the large message (default 67108864, 64 MiB).")
    Integer largeBytes;

    @Option(names = "--http-requests", description = "Requests per HTTP variant and repeat when wrk is not installed"
            + " (default 20000).")
    Integer httpRequests;

    @Option(names = "--http-concurrency", description = "HTTP connections sending at once (default 32).")
    Integer httpConcurrency;

    @Option(names = "--http-wide-concurrency", description = "Connections of the second, wider HTTP run of kafkalab"
            + " http and the Flask app (default 256; 0: none).")
    Integer httpWideConcurrency;

    @Option(names = "--http-seconds", description = "Seconds of load per HTTP variant and repeat with wrk"
            + " (default 10).")
    Integer httpSeconds;

    @Option(names = "--http-linger-ms", description = "--linger-ms for every kafkalab http variant (default: the"
            + " server's own).")
    Integer httpLingerMs;

    @Option(names = "--peer-records", description = "Records for kcat and kafka-python (default 200000).")
    Integer peerRecords;

    @Option(names = "--parallel-records", description = "Records of the parallel workload (default 10000, as"
            + " published).")
    Integer parallelRecords;

    @Option(names = "--ui-topics", description = "Topics for the UI's lists (default 1000).")
    Integer uiTopics;

    @Option(names = "--ui-groups", description = "Consumer groups for the UI's lists (default 200).")
    Integer uiGroups;

    @Option(names = "--retry-records", description = "Records of the retry comparison (default 20000).")
    Integer retryRecords;

    @Option(names = "--retry-backoff-ms", description = "Backoff of the retry comparison (default 1000).")
    Integer retryBackoffMs;

    @Option(names = "--check", description = "Exit " + Targets.MISSED_EXIT_CODE + " when a stated target is missed"
            + " (meaningful at full size on a quiet machine).")
    boolean check;

    /** The arguments as given, for the report. */
    private List<String> args = List.of();

    @Option(names = "--out", defaultValue = "docs/bench", description = "Where results.csv, results.json,"
            + " results.md and chart.svg go (default: ${DEFAULT-VALUE}).")
    Path out;

    /** The settings the options ask for. */
    BenchSettings settings() {
        BenchSettings b = smoke ? BenchSettings.smoke() : BenchSettings.full();
        return new BenchSettings(or(records, b.records()), or(slowRecords, b.slowRecords()), or(repeats, b.repeats()),
                or(warmUpRounds, b.warmUpRounds()), or(largeBytes, b.largeBytes()),
                or(httpRequests, b.httpRequests()),
                or(httpConcurrency, b.httpConcurrency()), or(httpWideConcurrency, b.httpWideConcurrency()),
                or(httpSeconds, b.httpSeconds()), or(httpLingerMs, b.httpLingerMs()), b.httpMessageBytes(),
                or(peerRecords, b.peerRecords()),
                or(parallelRecords, b.parallelRecords()), or(uiTopics, b.uiTopics()), or(uiGroups, b.uiGroups()),
                b.uiRequests(), or(retryRecords, b.retryRecords()), or(retryBackoffMs, b.retryBackoffMillis()));
    }

    private static int or(Integer option, int fallback) {
        return option != null ? option : fallback;
    }

    /** The comparisons the arguments name, all of them by default. */
    Set<Comparison> selected() {
        if (comparisons.isEmpty()) {
            return EnumSet.allOf(Comparison.class);
        }
        Set<Comparison> set = EnumSet.noneOf(Comparison.class);
        for (String c : comparisons) {
            try {
                set.add(Comparison.valueOf(c.toUpperCase(java.util.Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(new CommandLine(this), "unknown comparison '" + c
                        + "': use produce, consume, large, http, peers, parallel, ui, retry, latency or tuning");
            }
        }
        return set;
    }

    @Override
    public Integer call() throws Exception {
        BenchSettings s = settings();
        Set<Comparison> which = selected();
        Report report = run(s, which, line -> {
            System.out.println(line);
            System.out.flush();
        }, ("./kafkalab bench " + String.join(" ", args)).trim());
        System.out.println();
        System.out.print(report.markdown());
        for (Path p : report.write(out)) {
            System.out.println("wrote " + p);
        }
        if (!report.verdicts().isEmpty()) {
            System.out.println();
            System.out.println("targets:");
            report.verdicts().forEach(v -> System.out.println("  " + v.line()));
        }
        return exitCode(report);
    }

    /** 0, or {@value Targets#MISSED_EXIT_CODE} with {@code --check} when the report missed a target. */
    int exitCode(Report report) {
        return Targets.exitCode(report.verdicts(), check);
    }

    /**
     * Runs the comparisons on a new embedded cluster.
     *
     * @param command what to record as the command that produced the report
     */
    static Report run(BenchSettings s, Set<Comparison> which, Variants.Progress progress, String command)
            throws Exception {
        List<Row> rows = new ArrayList<>();
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.builder().brokers(3)
                .topology(EmbeddedKafkaCluster.Topology.DEDICATED_CONTROLLER).start()) {
            progress.line("cluster: " + cluster.bootstrapServers() + "; " + s);
            for (Comparison c : which) {
                progress.line(c.name().toLowerCase(java.util.Locale.ROOT) + ":");
                rows.addAll(switch (c) {
                    case PRODUCE -> ProduceBench.run(cluster, s, progress);
                    case CONSUME -> ConsumeBench.run(cluster, s, progress);
                    case LARGE -> LargeMessageBench.run(cluster, s, progress);
                    case HTTP -> HttpBench.run(cluster, s, progress);
                    case PEERS -> PeerBench.run(cluster, s, progress);
                    case PARALLEL -> ParallelBench.run(cluster, s, progress);
                    case UI -> UiBench.run(cluster, s, progress);
                    case RETRY -> RetryBench.run(cluster, s, progress);
                    case LATENCY -> LatencyBench.run(cluster, s, progress);
                    case TUNING -> TuningBench.run(cluster, s, progress);
                });
            }
        }
        return Report.of(command, rows, Targets.evaluate(rows, s));
    }

    /** @param args see {@code --help} */
    public static void main(String[] args) {
        BenchCommand command = new BenchCommand();
        CommandLine cl = new CommandLine(command);
        command.args = List.of(args);
        System.exit(cl.execute(args));
    }

}
