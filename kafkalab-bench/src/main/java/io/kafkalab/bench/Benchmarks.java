package io.kafkalab.bench;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the JMH benchmarks and prints each comparison with its ratio to the baseline of the same run:
 * <pre>
 * mvn -B -DskipTests -pl kafkalab-bench -am package
 * java -cp 'kafkalab-bench/target/classes:kafkalab-bench/target/lib/*' io.kafkalab.bench.Benchmarks [regex]
 * </pre>
 * Absolute figures drift on shared machines; the ratios, measured side by side, are what to read.
 */
public final class Benchmarks {

    private Benchmarks() {
    }

    public static void main(String[] args) throws RunnerException {
        String include = args.length > 0 ? args[0] : "io.kafkalab.bench.*";
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
        System.out.println();
        System.out.println("comparison (same run)                                    score            ratio");
        ratio(scores, units, "kafkalabSerialize", "jacksonSerialize");
        ratio(scores, units, "kafkalabDeserialize", "jacksonDeserialize");
        for (String size : new String[] {"1024", "1048576", "67108864"}) {
            ratio(scores, units, "reassemble size=" + size, "arraycopyFloor size=" + size);
            ratio(scores, units, "segment size=" + size, "arraycopyFloor size=" + size);
            Double ops = scores.get("reassemble size=" + size);
            if (ops != null) {
                System.out.printf("  reassembly of %s bytes: %.2f GB/s%n", size, ops * Long.parseLong(size) / 1e9);
            }
        }
    }

    private static void ratio(Map<String, Double> scores, Map<String, String> units, String ours, String base) {
        Double a = scores.get(ours);
        Double b = scores.get(base);
        if (a != null && b != null) {
            System.out.printf("%-28s vs %-28s %12.1f %-8s %6.2fx%n", ours, base, a, units.get(ours), a / b);
        }
    }
}
