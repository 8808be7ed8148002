package io.kafkalab.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.common.utils.internals.AppInfoParser;

/**
 * Measures start and close of an in-JVM cluster beside forked ones (3 brokers and a dedicated controller each):
 * {@code runs} rounds, the first one cold, then the medians of the rest. Run by
 * {@code scripts/time-forked-cluster.sh}; a measurement, not a test.
 */
public final class ClusterStartStopMain {

    private ClusterStartStopMain() {
    }

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        String current = AppInfoParser.getVersion();
        measure("in-JVM " + current + " (EmbeddedKafkaCluster)", runs,
                () -> EmbeddedKafkaCluster.builder().brokers(3).topology(EmbeddedKafkaCluster.Topology.DEDICATED_CONTROLLER).start());
        measure("forked " + current, runs, () -> ForkedKafkaCluster.builder().brokers(3).start());
        measure("forked 3.9.1", runs, () -> ForkedKafkaCluster.builder().brokers(3).version("3.9.1").start());
        System.exit(0);
    }

    private static void measure(String label, int runs, Supplier<KafkaCluster> start) {
        List<Long> starts = new ArrayList<>();
        List<Long> closes = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long begin = System.nanoTime();
            KafkaCluster cluster = start.get();
            long up = System.nanoTime();
            cluster.close();
            long down = System.nanoTime();
            starts.add((up - begin) / 1_000_000);
            closes.add((down - up) / 1_000_000);
        }
        System.out.printf("%-40s ready cold %5d ms, median %5d ms; close cold %5d ms, median %5d ms (runs: %s / %s)%n",
                label, starts.get(0), median(starts), closes.get(0), median(closes), starts, closes);
    }

    private static long median(List<Long> all) {
        List<Long> warm = new ArrayList<>(all.subList(all.size() > 1 ? 1 : 0, all.size()));
        warm.sort(null);
        return warm.get(warm.size() / 2);
    }
}
