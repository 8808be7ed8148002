package io.kafkalab.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.common.utils.internals.AppInfoParser;

/**
 * Writes a harness run: {@code results.csv} and {@code results.json} (every row, with the run's date, machine and
 * command; the JSON with the targets' verdicts), {@code results.md} (a table per comparison, one table for the
 * timed workloads of {@code parallel}, and the verdicts) and {@code chart.svg} (each variant's rate as a ratio to
 * its comparison's baseline, on a log scale).
 *
 * @param date     when the run ended
 * @param machine  cores, memory, CPU model, OS, Java
 * @param command  what produced it
 * @param rows     every row
 * @param verdicts the stated targets checked against the rows
 */
record Report(String date, String machine, String command, List<Row> rows, List<Targets.Verdict> verdicts) {

    static Report of(String command, List<Row> rows, List<Targets.Verdict> verdicts) {
        return new Report(LocalDate.now().toString(), describeMachine(), command, rows, verdicts);
    }

    /** Cores, memory, CPU model, OS, Java and Kafka versions. */
    static String describeMachine() {
        long memory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(cpu);
        } catch (IOException | RuntimeException e) {
            // not Linux: the rest still says enough
        }
        return String.format(Locale.ROOT, "%d cores (%s), %d GiB, %s %s, Java %s, Kafka %s",
                Runtime.getRuntime().availableProcessors(), cpu, Math.round(memory / (1024.0 * 1024 * 1024)),
                System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("java.version"),
                AppInfoParser.getVersion());
    }

    /** Writes the four files into {@code dir} and returns their paths. */
    List<Path> write(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = List.of(dir.resolve("results.csv"), dir.resolve("results.json"),
                dir.resolve("results.md"), dir.resolve("chart.svg"));
        Files.writeString(files.get(0), csv());
        Files.writeString(files.get(1), json());
        Files.writeString(files.get(2), markdown());
        Files.writeString(files.get(3), svg());
        return files;
    }

    String csv() {
        StringBuilder sb = new StringBuilder("comparison,variant,records,records_per_second,mb_per_second,p50_ms,"
                + "p99_ms,ratio_to_baseline,paired_ratio,peak_heap_mb,peak_live_mb,client_cpu_us_per_record,"
                + "client_bytes_per_record,runs_records_per_second,"
                + "seconds,bound_seconds,published_seconds\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%s,%s,%d,%.0f,%.2f,%s,%s,%.3f,%.3f,%s,%s,%s,%s,%s,%.4f,%s,%s%n",
                    r.comparison(), r.variant(), r.records(), r.recordsPerSecond(), r.megabytesPerSecond(),
                    num(r.p50Millis(), 2), num(r.p99Millis(), 2), r.ratio(), r.pairedRatio(),
                    num(r.peakHeapMegabytes(), 1), num(r.peakLiveMegabytes(), 1), num(r.clientCpuMicros(), 3),
                    num(r.clientAllocatedBytes(), 1),
                    r.runs().stream().map(v -> String.valueOf(Math.round(v))).collect(Collectors.joining(" ")),
                    r.seconds(), num(r.boundSeconds(), 4), num(r.publishedSeconds(), 3)));
        }
        return sb.toString();
    }

    String json() throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("date", date);
        doc.put("machine", machine);
        doc.put("command", command);
        List<Map<String, Object>> list = new ArrayList<>();
        for (Row r : rows) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("comparison", r.comparison());
            m.put("variant", r.variant());
            m.put("records", r.records());
            m.put("recordsPerSecond", Math.round(r.recordsPerSecond()));
            m.put("megabytesPerSecond", round(r.megabytesPerSecond(), 2));
            m.put("p50Millis", Double.isNaN(r.p50Millis()) ? null : round(r.p50Millis(), 2));
            m.put("p99Millis", Double.isNaN(r.p99Millis()) ? null : round(r.p99Millis(), 2));
            m.put("ratio", round(r.ratio(), 3));
            m.put("pairedRatio", round(r.pairedRatio(), 3));
            m.put("peakHeapMegabytes", Double.isNaN(r.peakHeapMegabytes()) ? null : round(r.peakHeapMegabytes(), 1));
            m.put("clientCpuMicrosPerRecord", Double.isNaN(r.clientCpuMicros()) ? null : round(r.clientCpuMicros(), 3));
            m.put("clientCpuRuns", r.clientCpuRuns().stream().map(v -> round(v, 3)).toList());
            m.put("clientBytesPerRecord", Double.isNaN(r.clientAllocatedBytes()) ? null
                    : round(r.clientAllocatedBytes(), 1));
            m.put("peakLiveMegabytes", Double.isNaN(r.peakLiveMegabytes()) ? null : round(r.peakLiveMegabytes(), 1));
            m.put("runs", r.runs().stream().map(Math::round).toList());
            m.put("seconds", round(r.seconds(), 4));
            m.put("boundSeconds", Double.isNaN(r.boundSeconds()) ? null : round(r.boundSeconds(), 4));
            m.put("publishedSeconds", Double.isNaN(r.publishedSeconds()) ? null : round(r.publishedSeconds(), 3));
            m.put("note", r.note());
            list.add(m);
        }
        doc.put("rows", list);
        List<Map<String, Object>> targets = new ArrayList<>();
        for (Targets.Verdict v : verdicts) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("target", v.target());
            m.put("source", v.source());
            m.put("outcome", v.outcome().name());
            m.put("measured", v.measured());
            targets.add(m);
        }
        doc.put("targets", targets);
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc) + "\n";
    }

    /** A Markdown table per comparison, headed by the date, machine and command. */
    String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("Measured ").append(date).append(" on ").append(machine).append(", with\n`").append(command)
                .append("`.\nRates are medians of the repeats; \"vs baseline\" is the median rate over the baseline's"
                        + " (the first row),\n\"paired\" the median of the per-repeat ratios, with its"
                        + " distribution-free 95 % interval\nin brackets from 6 repeats on.\n");
        for (String comparison : rows.stream().filter(r -> Double.isNaN(r.boundSeconds())).map(Row::comparison)
                .distinct().toList()) {
            List<Row> rs = rows.stream().filter(r -> r.comparison().equals(comparison)).toList();
            boolean latency = rs.stream().anyMatch(r -> !Double.isNaN(r.p50Millis()));
            boolean heap = rs.stream().anyMatch(r -> !Double.isNaN(r.peakHeapMegabytes()));
            boolean cpu = rs.stream().anyMatch(r -> !Double.isNaN(r.clientCpuMicros()));
            sb.append("\n**").append(comparison).append("**\n\n| variant | records | records/s | MB/s |");
            sb.append(latency ? " p50 ms | p99 ms |" : "").append(heap ? " peak heap MB | peak live MB |" : "")
                    .append(cpu ? " client CPU µs/record (range) | client B/record |" : "");
            sb.append(" vs baseline | paired |\n|---|---:|---:|---:|");
            sb.append(latency ? "---:|---:|" : "").append(heap ? "---:|---:|" : "").append(cpu ? "---:|---:|" : "").append("---:|---:|\n");
            for (Row r : rs) {
                sb.append(String.format(Locale.ROOT, "| %s | %,d | %,.0f | %.1f |", r.variant(), r.records(),
                        r.recordsPerSecond(), r.megabytesPerSecond()));
                if (latency) {
                    sb.append(String.format(Locale.ROOT, " %s | %s |", num(r.p50Millis(), 1), num(r.p99Millis(), 1)));
                }
                if (heap) {
                    sb.append(String.format(Locale.ROOT, " %s | %s |", num(r.peakHeapMegabytes(), 0),
                            num(r.peakLiveMegabytes(), 0)));
                }
                if (cpu) {
                    List<Double> runs = r.clientCpuRuns().stream().sorted().toList();
                    String range = runs.size() > 1 ? String.format(Locale.ROOT, " (%.2f-%.2f)", runs.get(0),
                            runs.get(runs.size() - 1)) : "";
                    sb.append(String.format(Locale.ROOT, " %s%s | %s |", num(r.clientCpuMicros(), 2), range,
                            num(r.clientAllocatedBytes(), 0)));
                }
                String interval = r == rs.get(0) ? "" : Stats.medianInterval(Targets.pairRatios(r, rs.get(0)))
                        .map(i -> String.format(Locale.ROOT, " (%.2f-%.2f)", i[0], i[1])).orElse("");
                sb.append(String.format(Locale.ROOT, " %.2fx | %.2fx%s |%n", r.ratio(), r.pairedRatio(), interval));
            }
        }
        timedMarkdown(sb);
        if (!verdicts.isEmpty()) {
            sb.append("\n**targets** (`./kafkalab bench --check` exits ").append(Targets.MISSED_EXIT_CODE)
                    .append(" on a miss; only full sizes on a quiet machine mean anything)\n\n");
            verdicts.forEach(v -> sb.append("- ").append(v.outcome()).append(" ").append(v.target()).append(": ")
                    .append(v.measured()).append(" [").append(v.source()).append("]\n"));
        }
        return sb.toString();
    }

    /**
     * One table for the comparisons of timed workloads (those with a bound): a line per comparison, each variant's
     * median time beside the bound and the published time, and each variant's time over the bound.
     */
    private void timedMarkdown(StringBuilder sb) {
        List<Row> timed = rows.stream().filter(r -> !Double.isNaN(r.boundSeconds())).toList();
        if (timed.isEmpty()) {
            return;
        }
        List<String> variants = timed.stream().map(Row::variant).distinct().toList();
        sb.append("\n**timed workloads** (median seconds; bound: the larger of the summed handler time over the"
                + " concurrency and the busiest key's (for PARTITION the partition's) summed handler time; published:"
                + " parallel-consumer's README, 10 000 records, 16 threads)\n\n| workload | records | bound s |");
        variants.forEach(v -> sb.append(' ').append(v).append(" s |"));
        sb.append(" published s |");
        variants.forEach(v -> sb.append(' ').append(v).append(" / bound |"));
        if (variants.size() > 1) {
            sb.append(' ').append(variants.get(1)).append(" vs ").append(variants.get(0)).append(" (rate, paired) |");
        }
        sb.append("\n|---|---:|---:|").append("---:|".repeat(variants.size() * 2 + 1))
                .append(variants.size() > 1 ? "---:|" : "").append('\n');
        for (String comparison : timed.stream().map(Row::comparison).distinct().toList()) {
            List<Row> rs = timed.stream().filter(r -> r.comparison().equals(comparison)).toList();
            Function<String, Optional<Row>> of = v -> rs.stream()
                    .filter(r -> r.variant().equals(v)).findFirst();
            double published = rs.stream().mapToDouble(Row::publishedSeconds).filter(d -> !Double.isNaN(d))
                    .findFirst().orElse(Double.NaN);
            sb.append(String.format(Locale.ROOT, "| %s | %,d | %.3f |", comparison, rs.get(0).records(),
                    rs.get(0).boundSeconds()));
            variants.forEach(v -> sb.append(' ').append(of.apply(v).map(r -> num(r.seconds(), 3)).orElse(""))
                    .append(" |"));
            sb.append(' ').append(num(published, 3)).append(" |");
            variants.forEach(v -> sb.append(' ').append(of.apply(v).map(r -> num(r.boundRatio(), 2) + "x")
                    .orElse("")).append(" |"));
            if (variants.size() > 1) {
                sb.append(' ').append(of.apply(variants.get(1)).map(r -> num(r.pairedRatio(), 2) + "x").orElse(""))
                        .append(" |");
            }
            sb.append('\n');
        }
    }

    /** Horizontal bars of each variant's ratio to its baseline, log scale from 0.001x to 10x. */
    String svg() {
        int labelWidth = 330;
        int barArea = 520;
        int rowHeight = 18;
        int top = 50;
        List<String> lines = new ArrayList<>();
        int y = top;
        String lastComparison = null;
        for (Row r : rows) {
            if (!r.comparison().equals(lastComparison)) {
                y += 10;
                lines.add(String.format(Locale.ROOT, "<text x=\"8\" y=\"%d\" font-weight=\"bold\">%s</text>", y + 12,
                        escape(r.comparison())));
                y += rowHeight;
                lastComparison = r.comparison();
            }
            double ratio = Math.max(1e-3, Math.min(10, r.pairedRatio()));
            double x = labelWidth + barArea * (Math.log10(ratio) + 3) / 4;
            double one = labelWidth + barArea * 3.0 / 4;
            String colour = r.ratio() >= 0.95 ? "#4c9a2a" : r.ratio() >= 0.5 ? "#d89614" : "#c0392b";
            lines.add(String.format(Locale.ROOT, "<text x=\"20\" y=\"%d\">%s</text>", y + 12, escape(r.variant())));
            lines.add(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>",
                    labelWidth, y + 2, Math.max(1, x - labelWidth), rowHeight - 4, colour));
            lines.add(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%.2fx</text>", Math.max(x, one) + 6, y + 12,
                    r.pairedRatio()));
            y += rowHeight;
        }
        int height = y + 30;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", labelWidth + barArea + 80, height));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append(String.format(Locale.ROOT, "<text x=\"8\" y=\"18\" font-size=\"14\" font-weight=\"bold\">kafkalab"
                + " benchmarks: rate as a ratio to each comparison's baseline (paired median, log scale)</text>%n"
                + "<text x=\"8\" y=\"36\" fill=\"#555\">%s, %s</text>%n", escape(date), escape(machine)));
        for (int decade = -3; decade <= 1; decade++) {
            double x = labelWidth + barArea * (decade + 3) / 4.0;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>"
                            + "%n<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%sx</text>%n",
                    x, top, x, y, decade == 0 ? "#000" : "#ddd", x, y + 16,
                    num(Math.pow(10, decade), decade < 0 ? -decade : 0)));
        }
        lines.forEach(l -> sb.append(l).append('\n'));
        return sb.append("</svg>\n").toString();
    }

    private static String num(double v, int decimals) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static double round(double v, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(v * scale) / scale;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
