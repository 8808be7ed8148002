package io.kafkalab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkalab.bench.Variants.Measurement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Warm-up rounds run uncounted before the repeats, in the order the variants were added, and count for nothing. */
class VariantsTest {

    @Test
    void everyWarmUpRoundRunsEveryVariantUncountedFirst() throws Exception {
        List<String> calls = new ArrayList<>();
        Variants v = new Variants("test")
                .add("a", "", r -> record(calls, "a", r))
                .add("b", "", r -> record(calls, "b", r));
        List<Row> rows = v.run(2, 3, line -> { });
        // 3 warm-up rounds of both, then 2 repeats with the order rotated in the second
        assertThat(calls).containsExactly("a-1", "b-1", "a-1", "b-1", "a-1", "b-1", "a0", "b0", "b1", "a1");
        assertThat(rows).extracting(Row::runs).containsExactly(List.of(1000.0, 1000.0), List.of(1000.0, 1000.0));
    }

    @Test
    void theCommandTakesWarmUpRoundsAndDefaultsToOneOrNoneWhenSmoke() {
        assertThat(settings().warmUpRounds()).isEqualTo(1);
        assertThat(settings("--smoke").warmUpRounds()).isZero();
        assertThat(settings("--warm-up-rounds", "4").warmUpRounds()).isEqualTo(4);
    }

    private static BenchSettings settings(String... args) {
        BenchCommand command = new BenchCommand();
        new CommandLine(command).parseArgs(args);
        return command.settings();
    }

    private static Measurement record(List<String> calls, String name, int repeat) {
        calls.add(name + repeat);
        // a warm-up's rate would show in the rows if it were counted
        return new Measurement(1000, 100_000, repeat < 0 ? 0.5 : 1.0, new long[0], -1, -1, -1);
    }
}
