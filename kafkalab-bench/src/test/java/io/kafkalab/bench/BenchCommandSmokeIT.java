package io.kafkalab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The harness's smoke run (part of the test command; the real run is {@code ./kafkalab bench}): every comparison
 * runs on a real embedded cluster at tiny sizes, every variant is measured against its baseline, every stated
 * target gets a verdict (not asserted: tiny sizes are noise), and the CSV, JSON, Markdown and SVG are written and
 * agree.
 */
class BenchCommandSmokeIT {

    @Test
    void everyComparisonRunsAndTheReportIsWritten(@TempDir Path dir) throws Exception {
        List<String> progress = new ArrayList<>();
        Report report = BenchCommand.run(BenchSettings.smoke(), EnumSet.allOf(BenchCommand.Comparison.class),
                progress::add, "smoke");
        List<Row> rows = report.rows();

        Set<String> comparisons = rows.stream().map(Row::comparison).collect(Collectors.toSet());
        assertThat(comparisons).contains("produce", "consume", "large", "http", "peers produce", "peers consume", "ui");
        assertThat(variants(rows, "produce")).containsExactly("raw", "kafkalab", "lab-flush-each");
        assertThat(variants(rows, "tuning")).containsExactly("Kafka defaults", "linger 10, 64 KiB", "the preset",
                "linger 10, 256 KiB", "linger 5, 1 MiB", "the preset + lz4");
        // the producers' own threads measured: CPU time and allocation per record, for the wrapper's cost
        assertThat(rows).filteredOn(r -> r.comparison().equals("produce") && !r.variant().equals("lab-flush-each"))
                .allSatisfy(r -> {
                    // isNotNaN first: AssertJ orders NaN above every number
                    assertThat(r.clientCpuMicros()).as(r.variant()).isNotNaN().isPositive();
                    assertThat(r.clientAllocatedBytes()).as(r.variant()).isNotNaN()
                            .isGreaterThan(BenchSettings.VALUE_BYTES);
                });
        assertThat(report.markdown()).contains("client CPU µs/record (range) | client B/record |");
        assertThat(variants(rows, "retry")).containsExactly("no failures", "non-blocking retries", "blocking retries");
        assertThat(variants(rows, "latency")).containsExactly("raw send().get()", "AT_MOST_ONCE", "AT_LEAST_ONCE",
                "EXACTLY_ONCE, a transaction per record");
        assertThat(rows).filteredOn(r -> r.comparison().equals("latency"))
                .allSatisfy(r -> assertThat(r.p99Millis()).as(r.variant()).isNotNaN()
                        .isGreaterThanOrEqualTo(r.p50Millis()).isPositive());
        assertThat(variants(rows, "consume")).contains("raw commitAsync/poll", "batch afterEachPoll async",
                "single afterEachRecord", "batch manual", "single kafkaAutoCommit(5s)");
        // a peer that is not installed is left out, and said so in the progress; under CI=true (.ci/run installs
        // them and sets it) all must be there
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        // the wide run (256 connections in full runs) is off in the smoke run
        List<String> http = new ArrayList<>(List.of("raw server", "kafkalab http", "kafkalab http 100 B segments"));
        if (ci || HttpBench.flask()) {
            http.addAll(List.of("lab flask", "lab flask 100 B segments"));
        }
        // wrk is the generator wherever installed (.ci/run installs it), and the notes say which one ran
        String generator = ci || HttpBench.wrk() ? "wrk)" : "JDK HttpClient)";
        assertThat(rows).filteredOn(r -> r.comparison().equals("http"))
                .allSatisfy(r -> assertThat(r.note()).endsWith(generator));
        assertThat(rows).filteredOn(r -> r.comparison().equals("http"))
                .allSatisfy(r -> assertThat(r.note()).contains("(4 connections"));
        assertThat(variants(rows, "http")).containsExactlyElementsOf(http);
        List<String> peers = new ArrayList<>(List.of("raw java"));
        if (ci || PeerBench.kcat()) {
            peers.add("kcat");
        }
        if (ci || PeerBench.kafkaPython()) {
            peers.add("kafka-python");
        }
        List<String> said = progress.stream().filter(l -> l.contains("peers:")).toList();
        List<String> producers = new ArrayList<>(peers);
        producers.add(1, PeerBench.KAFKALAB);
        assertThat(variants(rows, "peers produce")).as("peers produce; %s", said).containsExactlyElementsOf(producers);
        assertThat(variants(rows, "peers consume")).as("peers consume; %s", said).containsExactlyElementsOf(peers);
        assertThat(rows).allSatisfy(r -> {
            assertThat(r.recordsPerSecond()).as(r.variant()).isPositive().isFinite();
            assertThat(r.ratio()).as(r.variant()).isPositive().isFinite();
        });
        for (String c : comparisons) {
            assertThat(rows.stream().filter(r -> r.comparison().equals(c)).findFirst().orElseThrow().ratio())
                    .as("the baseline of " + c).isEqualTo(1.0);
        }
        assertThat(rows).filteredOn(r -> r.comparison().equals("http"))
                .allSatisfy(r -> assertThat(r.p99Millis()).isNotNaN().isGreaterThanOrEqualTo(r.p50Millis()).isPositive());
        assertThat(rows).filteredOn(r -> r.comparison().equals("large"))
                .allSatisfy(r -> assertThat(r.peakHeapMegabytes()).isNotNaN().isPositive());
        List<String> parallel = ParallelWorkload.PUBLISHED.stream().map(w -> "parallel " + w.label()).toList();
        assertThat(comparisons).containsAll(parallel);
        for (String c : parallel) {
            assertThat(variants(rows, c)).as(c).containsExactly("parallel-consumer", "kafkalab");
        }
        assertThat(rows).filteredOn(r -> r.comparison().startsWith("parallel ")).allSatisfy(r -> {
            assertThat(r.records()).isEqualTo(BenchSettings.smoke().parallelRecords());
            assertThat(r.boundSeconds()).as(r.comparison()).isNotNaN().isPositive();
            assertThat(r.boundRatio()).as(r.comparison()).isNotNaN().isGreaterThanOrEqualTo(1.0);
        });
        assertThat(variants(rows, "ui")).containsExactly("admin topics page", "api topics page", "api topics all",
                "api topics filter", "api groups page", "api group");
        assertThat(rows).filteredOn(r -> r.comparison().equals("ui")).allSatisfy(r -> {
            assertThat(r.records()).isEqualTo(BenchSettings.smoke().uiRequests());
            assertThat(r.p99Millis()).isNotNaN().isGreaterThanOrEqualTo(r.p50Millis()).isPositive();
        });
        assertThat(report.verdicts()).extracting(Targets.Verdict::target).anyMatch(t -> t.startsWith("produce: "))
                .anyMatch(t -> t.startsWith("ui: api topics page p99 <= 2000 ms"))
                .anyMatch(t -> t.startsWith("consume: ")).anyMatch(t -> t.startsWith("large: "))
                .contains("parallel KEY 100 keys: kafkalab within 2x of the physical bound");

        List<Path> files = report.write(dir);
        assertThat(Files.readAllLines(dir.resolve("results.csv"))).hasSize(rows.size() + 1);
        JsonNode json = new ObjectMapper().readTree(dir.resolve("results.json").toFile());
        assertThat(json.get("rows")).hasSize(rows.size());
        assertThat(json.get("machine").asText()).contains("cores");
        String svg = Files.readString(dir.resolve("chart.svg"));
        assertThat(svg).startsWith("<svg").contains("kafkalab http 100 B segments");
        assertThat(Files.readString(dir.resolve("results.md"))).contains("| raw commitAsync/poll |")
                .contains("| parallel KEY 100 keys | 100 |").contains("**targets**");
        assertThat(json.get("targets")).hasSize(report.verdicts().size());
        assertThat(files).hasSize(4);
    }

    @Test
    void unknownComparisonsAreRejectedWithTheList() {
        BenchCommand command = new BenchCommand();
        new CommandLine(command).parseArgs("produce", "nonsense");
        org.assertj.core.api.Assertions.assertThatThrownBy(command::selected)
                .hasMessageContaining("unknown comparison 'nonsense'");
    }

    private static List<String> variants(List<Row> rows, String comparison) {
        return rows.stream().filter(r -> r.comparison().equals(comparison)).map(Row::variant).toList();
    }
}
