package io.kafkalab.examples.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class UiServerTest {

    @Test
    void pathSegmentsArePercentDecodedOneByOne() {
        assertThat(UiServer.segments("/api/groups/a%2Fb+c%20d")).containsExactly("api", "groups", "a/b+c d");
        assertThat(UiServer.segments("/")).isEmpty();
        assertThatThrownBy(() -> UiServer.segments("/topics/%zz")).isInstanceOf(ApiError.class)
                .hasMessage("bad percent-encoding in %zz");
    }

    @Test
    void aBrowseRequestReadsItsParametersAndRefusesBadOnes() {
        MessageBrowser.Request r = UiServer.browseRequest("t", UiServer.query("partition=2&offset=7&order=oldest&limit=5"
                + "&q=hello%20world"));
        assertThat(r).isEqualTo(new MessageBrowser.Request("t", 2, 7L, null, false, 5, "hello world", false));
        assertThat(UiServer.browseRequest("t", Map.of())).isEqualTo(
                new MessageBrowser.Request("t", null, null, null, true, 50, null, false));
        assertThatThrownBy(() -> UiServer.browseRequest("t", Map.of("order", "sideways")))
                .isInstanceOf(ApiError.class).hasMessage("order must be newest or oldest, but was sideways")
                .extracting(e -> ((ApiError) e).status()).isEqualTo(400);
        assertThat(UiServer.browseRequest("t", Map.of("time", "1700000000000")).time()).isEqualTo(1_700_000_000_000L);
        assertThatThrownBy(() -> UiServer.browseRequest("t", Map.of("offset", "ten")))
                .hasMessage("offset must be a number, but was ten");
    }

    @Test
    void settingsRefuseBadValuesNamingThem() {
        UiServer.Settings s = UiServer.Settings.of("b:9092");
        assertThatThrownBy(() -> s.at("127.0.0.1", 70000)).hasMessage("port must be between 0 and 65535, but was 70000");
        assertThatThrownBy(() -> s.sampleEvery(java.time.Duration.ZERO)).hasMessage("sampleEvery must be > 0, but was PT0S");
        assertThatThrownBy(() -> s.timeout(java.time.Duration.ofMillis(10)))
                .hasMessage("timeout must be >= 100 ms, but was PT0.01S");
    }

    @Test
    void settingsNeverPrintTheClientConfig() {
        UiServer.Settings s = UiServer.Settings.of("127.0.0.1:9092")
                .withClientConfig(Map.of("sasl.jaas.config", "x password=\"hunter2\";"));
        assertThat(s.toString()).doesNotContain("hunter2").contains("127.0.0.1:9092");
    }
}
