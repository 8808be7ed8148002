package io.kafkalab.bench;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the JMH benchmarks and prints each comparison with its ratio to the baseline of the same run, also into
 * {@code docs/bench/jmh.md} (or the directory given second):
 * <pre>
 * mvn -B -DskipTests -pl kafkalab-bench -am package
 * java -cp 'kafkalab-bench/target/classes:kafkalab-bench/target/lib/*' io.kafkalab.bench.Benchmarks [regex [dir]]
 * </pre>
 * Absolute figures drift on shared machines; the ratios, measured side by side, are what to read.
 */
public final class Benchmarks {

    private Benchmarks() {
    }

    public static void main(String[] args) throws RunnerException, java.io.IOException {
        String include = args.length > 0 ? args[0] : "io.kafkalab.bench.*Benchmark";
        java.nio.file.Path dir = java.nio.file.Path.of(args.length > 1 ? args[1] : "docs/bench");
        Collection<RunResult> results = new Runner(new OptionsBuilder().include(include).build()).run();
        Map<String, Double> scores = new LinkedHashMap<>();
        Map<String, String> units = new LinkedHashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark().replaceAll(".*\\.", "");
            String size = r.getParams().getParam("size");
            String key = size == null ? name : name + " size=" + size;
            scores.put(key, r.getPrimaryResult().getScore());
            units.put(key, r.getPrimaryResult().getScoreUnit());
        }
        StringBuilder md = new StringBuilder("Measured " + java.time.LocalDate.now() + " on " + Report.describeMachine()
                + ", with\n`java -cp 'kafkalab-bench/target/classes:kafkalab-bench/target/lib/*'"
                + " io.kafkalab.bench.Benchmarks" + (args.length > 0 ? " '" + include + "'" : "")
                + "` (JMH, 1 fork, 3 warm-up and 5 measured iterations of 1 s).\n\n"
                + "| ours | baseline | score | unit | ratio | GB/s |\n|---|---|---:|---|---:|---:|\n");
        ratio(md, scores, units, "kafkalabSerialize", "jacksonSerialize", 0);
        ratio(md, scores, units, "kafkalabDeserialize", "jacksonDeserialize", 0);
        for (String size : new String[] {"1024", "1048576", "67108864"}) {
            ratio(md, scores, units, "reassemble size=" + size, "arraycopyFloor size=" + size, Long.parseLong(size));
            ratio(md, scores, units, "segment size=" + size, "arraycopyFloor size=" + size, Long.parseLong(size));
            ratio(md, scores, units, "arraycopyFloor size=" + size, "arraycopyFloor size=" + size, Long.parseLong(size));
        }
        ratio(md, scores, units, "kafkalabSend", "rawSend", 0);
        ratio(md, scores, units, "producersSend", "rawSend", 0);
        for (String ours : new String[] {"kafkalabSend", "producersSend"}) {
            Double a = scores.get(ours);
            Double b = scores.get("rawSend");
            if (a != null && b != null) {
                // ops/µs to ns per op
                md.append(String.format(java.util.Locale.ROOT, "%n%s adds %.1f ns per send to rawSend's %.1f ns.%n",
                        ours, 1e3 / a - 1e3 / b, 1e3 / b));
            }
        }
        System.out.println();
        System.out.print(md);
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Files.writeString(dir.resolve("jmh.md"), md.toString());
        System.out.println("wrote " + dir.resolve("jmh.md"));
    }

    private static void ratio(StringBuilder md, Map<String, Double> scores, Map<String, String> units, String ours,
                              String base, long bytes) {
        Double a = scores.get(ours);
        Double b = scores.get(base);
        if (a != null && b != null) {
            md.append(String.format(java.util.Locale.ROOT, "| %s | %s | %,.1f | %s | %.2fx | %s |%n", ours, base, a,
                    units.get(ours), a / b, bytes == 0 ? "" : String.format(java.util.Locale.ROOT, "%.2f",
                            a * bytes / 1e9)));
        }
    }
}
