package io.kafkalab.examples.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ValueTextTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void plainTextStaysTextWithItsByteLength() {
        ValueText v = ValueText.of(utf8("привет <b>"), 100);
        assertThat(v).isEqualTo(new ValueText("text", "привет <b>", null, null, 16, false));
    }

    @Test
    void aJsonObjectGetsAnIndentedCopy() {
        ValueText v = ValueText.of(utf8("{\"user\":3,\"items\":[1,2]}"), 100);
        assertThat(v.format()).isEqualTo("json");
        assertThat(v.text()).isEqualTo("{\"user\":3,\"items\":[1,2]}");
        assertThat(v.pretty()).contains("\n").contains("\"user\" : 3");
    }

    @Test
    void theLabsCustomMessageIsReadAsOneAsItsSerdeReadsIt() {
        ValueText v = ValueText.of(utf8("{\"value\": \"\\u041f\u0440\u0438\", \"key\": 3, \"extra\": true}"), 100);
        assertThat(v.format()).isEqualTo("json");
        assertThat(v.customMessage()).isEqualTo(new io.kafkalab.message.CustomMessage("3", "\u041f\u0440\u0438"));
        ValueText cut = ValueText.of(utf8("{\"key\": \"7\", \"value\": \"" + "x".repeat(50) + "\"}"), 60);
        assertThat(cut.customMessage().value()).hasSize(50);
        assertThat(ValueText.of(utf8("{\"key\": \"7\", \"value\": \"" + "x".repeat(50) + "\"}"), 20)
                .customMessage().value()).hasSize(20);
        // JSON that is not the lab's message: no key, a value that is not text, an array
        assertThat(ValueText.of(utf8("{\"value\": \"v\"}"), 100).customMessage()).isNull();
        assertThat(ValueText.of(utf8("{\"key\": \"k\", \"value\": {\"a\": 1}}"), 100).customMessage()).isNull();
        assertThat(ValueText.of(utf8("[1, 2]"), 100).customMessage()).isNull();
        assertThat(ValueText.of(utf8("{\"user\":3}"), 100).customMessage()).isNull();
    }

    @Test
    void wordsNumbersAndBrokenJsonAreText() {
        assertThat(ValueText.of(utf8("42"), 10).format()).isEqualTo("text");
        assertThat(ValueText.of(utf8("{not json"), 10).format()).isEqualTo("text");
    }

    @Test
    void bytesThatAreNotUtf8AreShownAsBase64() {
        ValueText v = ValueText.of(new byte[] {(byte) 0xff, 0, 1}, 100);
        assertThat(v).isEqualTo(new ValueText("binary", "/wAB", null, null, 3, false));
    }

    @Test
    void nullIsNull() {
        assertThat(ValueText.of(null, 10)).isEqualTo(new ValueText("null", null, null, null, 0, false));
    }

    @Test
    void longTextIsCutAtTheLimitAndSaysSoWithoutSplittingACharacter() {
        ValueText v = ValueText.of(utf8("abcdefghij"), 4);
        assertThat(v.text()).isEqualTo("abcd");
        assertThat(v.truncated()).isTrue();
        assertThat(v.bytes()).isEqualTo(10);
        // 😀 is two chars (a surrogate pair): a cut after the first half would leave half a character
        ValueText emoji = ValueText.of(utf8("ab😀cd"), 3);
        assertThat(emoji.text()).isEqualTo("ab");
        assertThat(ValueText.of(utf8("abcd"), 4).truncated()).isFalse();
    }

    @Test
    void aLimitBelowOneIsRefused() {
        assertThatThrownBy(() -> ValueText.of(new byte[0], 0)).hasMessage("maxChars must be >= 1, but was 0");
    }

    @Test
    void containsIgnoresCase() {
        assertThat(ValueText.contains(utf8("Hello World"), "world")).isTrue();
        assertThat(ValueText.contains(utf8("Hello"), "bye")).isFalse();
        assertThat(ValueText.contains(null, "x")).isFalse();
    }
}
