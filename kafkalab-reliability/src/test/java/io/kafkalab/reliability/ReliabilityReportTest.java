package io.kafkalab.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReliabilityReportTest {

    private final List<ReliabilityReport.Row> rows = List.of(
            new ReliabilityReport.Row(2, "segmented: b", 10, 9, 0, 1, "<= 1", Duration.ofMillis(1234)),
            new ReliabilityReport.Row(1, "producer: a, \"quoted\"", 200_000, 200_000, 0, 0, "0 | none",
                    Duration.ofSeconds(20)));

    @Test
    void csvHasOneLinePerRowInSectionOrderWithQuotedText() {
        assertThat(ReliabilityReport.csv(rows)).isEqualTo("scenario,messages,acked,lost,duplicates,bound,seconds\n"
                + "\"producer: a, \"\"quoted\"\"\",200000,200000,0,0,\"0 | none\",20.0\n"
                + "\"segmented: b\",10,9,0,1,\"<= 1\",1.2\n");
    }

    @Test
    void markdownTableEscapesPipesAndKeepsTheRunInfo() {
        String md = ReliabilityReport.markdown(rows, "Run on 2 cores");
        assertThat(md).contains("Run on 2 cores")
                .contains("| producer: a, \"quoted\" | 200000 | 200000 | 0 | 0 | 0 \\| none | 20.0 s |\n"
                        + "| segmented: b | 10 | 9 | 0 | 1 | <= 1 | 1.2 s |");
    }

    @Test
    void soakDurationsParseInShortAndIsoForm() {
        assertThat(Soak.parse("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Soak.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Soak.parse("PT2H")).isEqualTo(Duration.ofHours(2));
        assertThatThrownBy(() -> Soak.parse("5 minutes")).hasMessage(
                "kafkalab.soak must be a duration such as 90s, 5m or PT5M, but was 5 minutes");
        assertThatThrownBy(() -> Soak.parse("0s")).hasMessage("kafkalab.soak must be > 0, but was 0s");
    }
}
