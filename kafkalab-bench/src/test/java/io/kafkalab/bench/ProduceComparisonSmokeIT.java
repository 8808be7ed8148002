package io.kafkalab.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A short run of the produce harness: it runs, every variant is measured, the CSV is written. */
class ProduceComparisonSmokeIT {

    @Test
    void runsEveryVariantAndWritesTheCsv(@TempDir Path dir) throws Exception {
        List<ProduceComparison.Row> rows = ProduceComparison.run(2_000, 1, 50);
        assertThat(rows).extracting(ProduceComparison.Row::variant).containsExactly("raw", "kafkalab", "lab");
        assertThat(rows).allSatisfy(r -> assertThat(r.recordsPerSecond()).isPositive());
        assertThat(rows.get(0).ratio()).isEqualTo(1.0);
        Path csv = dir.resolve("produce.csv");
        ProduceComparison.write(rows, csv);
        assertThat(Files.readAllLines(csv)).hasSize(4).first()
                .isEqualTo("variant,records,records_per_second,mb_per_second,ratio_to_raw,paired_ratio_to_raw");
        assertThat(rows.get(0).pairedRatio()).isEqualTo(1.0);
    }
}
