package io.kafkalab.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonSerdeTest {

    private static final String TOPIC = "topic";

    private final JsonSerde<CustomMessage> serde = CustomMessage.serde();
    private final Serializer<CustomMessage> serializer = serde.serializer();
    private final Deserializer<CustomMessage> deserializer = serde.deserializer();

    record Order(String id, int quantity, List<String> tags) {
    }

    @Test
    void writesTheLabsJsonShape() {
        byte[] json = serializer.serialize(TOPIC, new CustomMessage("3", "hello"));
        assertThat(new String(json, StandardCharsets.UTF_8)).isEqualTo("{\"key\":\"3\",\"value\":\"hello\"}");
    }

    @Test
    void roundTripsTwoThousandGeneratedMessages() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int i = 0; i < 2000; i++) {
            CustomMessage m = new CustomMessage(randomText(random, random.nextInt(12)),
                    randomText(random, random.nextInt(i % 100 == 0 ? 20_000 : 200)));
            assertThat(roundTrip(m)).as("seed %d, message %d", seed, i).isEqualTo(m);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "Привет, мир!", "😀👋🏽🇺🇦 family: 👨‍👩‍👧", "\u0000\u0001\u001f\u007f\t\n\r",
        "\"quotes\" and \\backslashes\\", "</script><!--", "\uFEFFbom", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 outside the BMP"})
    void roundTripsSpecialText(String text) {
        CustomMessage m = new CustomMessage(text, text);
        assertThat(roundTrip(m)).isEqualTo(m);
    }

    @Test
    void roundTripsAFiveMegabyteValue() {
        String huge = "Ж".repeat(5 * 1024 * 1024 / 2);
        CustomMessage m = new CustomMessage("1", huge);
        assertThat(roundTrip(m)).isEqualTo(m);
    }

    @Test
    void readsWhatPythonJsonDumpsWrites() {
        // exact output of Python 3.11 json.dumps, ASCII-escaped (the default) and not
        assertThat(read("{\"key\": \"3\", \"value\": \"\\u041f\\u0440\\u0438\\u0432\\u0435\\u0442, "
                + "\\u043c\\u0438\\u0440! \\ud83d\\udc4b\"}"))
                .isEqualTo(new CustomMessage("3", "Привет, мир! 👋"));
        assertThat(read("{\"value\": \"Привет\", \"key\": \"7\", \"ts\": 1700000000.5, \"meta\": {\"a\": [1, 2]}}"))
                .isEqualTo(new CustomMessage("7", "Привет"));
        assertThat(read("{\"key\": 3, \"value\": \"x\"}")).isEqualTo(new CustomMessage("3", "x"));
    }

    /**
     * The same, from a real Python ({@code /usr/bin/python3}, any Python 3: {@code json} is in its standard library):
     * {@code json.dumps} of the lab's dicts with its default and other options, Unicode of every kind included.
     * Skipped where there is no Python; with {@code CI=true} (as {@code .ci/run} sets) it fails instead.
     */
    @Test
    void readsWhatARealPythonJsonDumpsWrites(@TempDir Path dir) throws Exception {
        Path python = Path.of("/usr/bin/python3");
        requirePeer(Files.isExecutable(python), "/usr/bin/python3 is not installed (Debian package python3)");
        String text = "Привет, мир! 👋 😀👋🏽🇺🇦 👨‍👩‍👧 \u0000\u001f\u007f\t\n\r \"q\" \\ </script> \uFEFF 𝔘𝔫";
        List<String> dumps = List.of(
                "json.dumps({'key': '3', 'value': T})",
                "json.dumps({'key': '3', 'value': T}, ensure_ascii=False)",
                "json.dumps({'value': T, 'key': '7', 'ts': 1700000000.5, 'meta': {'a': [1, 2], 'b': None}})",
                "json.dumps({'key': 3, 'value': T})",
                "json.dumps({'key': '3', 'value': T}, separators=(',', ':'), sort_keys=True)",
                "json.dumps({'key': '3', 'value': T}, indent=2, ensure_ascii=False)");
        List<CustomMessage> expected = List.of(new CustomMessage("3", text), new CustomMessage("3", text),
                new CustomMessage("7", text), new CustomMessage("3", text), new CustomMessage("3", text),
                new CustomMessage("3", text));
        Path script = dir.resolve("dumps.py");
        StringBuilder py = new StringBuilder("import json\nT = '");
        text.codePoints().forEach(c -> py.append(String.format("\\U%08x", c)));
        py.append("'\n");
        dumps.forEach(d -> py.append("print(").append(d).append(".encode('utf-8').hex())\n"));
        Files.writeString(script, py, StandardCharsets.US_ASCII);
        Process p = new ProcessBuilder(python.toString(), script.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("python finished").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(p.exitValue()).as(out).isZero();
        List<String> lines = out.lines().toList();
        assertThat(lines).hasSameSizeAs(dumps);
        for (int i = 0; i < lines.size(); i++) {
            byte[] json = HexFormat.of().parseHex(lines.get(i));
            assertThat(deserializer.deserialize(TOPIC, json)).as("%s: %s", dumps.get(i),
                    new String(json, StandardCharsets.UTF_8)).isEqualTo(expected.get(i));
        }
    }

    /** A test's outside tool: skipped when it is missing, but a failure under {@code CI=true}, where it must be. */
    static void requirePeer(boolean present, String reason) {
        assertThat(present || !"true".equalsIgnoreCase(System.getenv("CI"))).as("%s; CI=true requires it", reason)
                .isTrue();
        assumeTrue(present, reason);
    }

    @Test
    void mapsNullToNullBothWays() {
        assertThat(serializer.serialize(TOPIC, null)).isNull();
        assertThat(deserializer.deserialize(TOPIC, null)).isNull();
    }

    @Test
    void reportsMalformedBytesWithTopicTypePreviewAndCause() {
        byte[] truncated = "{\"key\":\"3\",\"val".getBytes(StandardCharsets.UTF_8);
        MessageDeserializationException e = catchThrowableOfType(MessageDeserializationException.class,
                () -> deserializer.deserialize("orders", truncated));
        assertThat(e.topic()).isEqualTo("orders");
        assertThat(e.targetType()).isEqualTo(CustomMessage.class.getName());
        assertThat(e.length()).isEqualTo(truncated.length);
        assertThat(e.previewBytes()).isEqualTo(truncated);
        assertThat(e.getCause()).isNotNull();
        assertThat(e).hasMessageStartingWith("Cannot deserialize io.kafkalab.message.CustomMessage from topic "
                + "'orders' (15 bytes: \"{\\\"key\\\":\\\"3\\\",\\\"val\"): Unexpected end-of-input");
        assertThat(e).isInstanceOf(io.kafkalab.KafkaLabException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "not json at all",
        "{\"key\":\"3\"}",
        "{\"value\":\"x\"}",
        "{\"key\":null,\"value\":\"x\"}",
        "{\"key\":{\"id\":3},\"value\":\"x\"}",
        "{\"key\":\"3\",\"value\":[\"a\",\"b\"]}",
        "[\"3\",\"x\"]",
        "\"just a string\"",
        "{\"key\":\"3\",\"value\":\"x\"} trailing",
        "{\"key\":\"3\",\"value\":\"x\"}{\"key\":\"4\",\"value\":\"y\"}",
        "",
        "   "})
    void refusesMalformedOrWronglyTypedJson(String json) {
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MessageDeserializationException.class)
                .hasMessageContaining("from topic 'topic'");
    }

    @Test
    void refusesInvalidUtf8AndShowsTheBadBytes() {
        byte[] bytes = {'{', '"', 'k', 'e', 'y', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        MessageDeserializationException e = catchThrowableOfType(MessageDeserializationException.class,
                () -> deserializer.deserialize(TOPIC, bytes));
        assertThat(e.preview()).isEqualTo("{\\\"key\\\":\\\"\\xC3(\\\"}");
        assertThat(e.getMessage()).contains("Invalid UTF-8");
    }

    @Test
    void boundsThePreviewOfLargeGarbage() {
        byte[] garbage = new byte[100_000];
        new Random(1).nextBytes(garbage);
        MessageDeserializationException e = catchThrowableOfType(MessageDeserializationException.class,
                () -> deserializer.deserialize(TOPIC, garbage));
        assertThat(e.previewBytes()).hasSize(JsonDeserializer.DEFAULT_PREVIEW_BYTES);
        assertThat(e.length()).isEqualTo(100_000);
        assertThat(e.getMessage()).contains("(100000 bytes: \"").contains("\"...): ").hasSizeLessThan(1200);
    }

    @Test
    void worksForAnyRecordAndGenericTypes() {
        JsonSerde<Order> orders = new JsonSerde<>(Order.class);
        Order order = new Order("o-1", 2, List.of("gift", "express"));
        assertThat(orders.deserializer().deserialize(TOPIC, orders.serializer().serialize(TOPIC, order)))
                .isEqualTo(order);

        JsonDeserializer<List<CustomMessage>> list = new JsonDeserializer<>(
                new TypeReference<List<CustomMessage>>() { }, JsonSerde.defaultMapper());
        assertThat(list.deserialize(TOPIC, "[{\"key\":\"1\",\"value\":\"a\"}]".getBytes(StandardCharsets.UTF_8)))
                .containsExactly(new CustomMessage("1", "a"));
    }

    @Test
    void noArgDeserializerTakesItsTypeFromTheConfigAsClassOrName() {
        JsonDeserializer<Order> byName = new JsonDeserializer<>();
        byName.configure(Map.of(JsonDeserializer.VALUE_TYPE_CONFIG, Order.class.getName()), false);
        assertThat(byName.deserialize(TOPIC, "{\"id\":\"a\",\"quantity\":1,\"tags\":[]}".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(new Order("a", 1, List.of()));

        JsonDeserializer<CustomMessage> key = new JsonDeserializer<>();
        key.configure(Map.of(JsonDeserializer.KEY_TYPE_CONFIG, CustomMessage.class), true);
        assertThat(key.type().getRawClass()).isEqualTo(CustomMessage.class);

        JsonSerde<CustomMessage> serde = new JsonSerde<>();
        serde.configure(Map.of(JsonDeserializer.VALUE_TYPE_CONFIG, CustomMessage.class), false);
        assertThat(serde.deserializer().deserialize(TOPIC, serde.serializer().serialize(TOPIC,
                new CustomMessage("k", "v")))).isEqualTo(new CustomMessage("k", "v"));
    }

    @Test
    void configureNamesTheKeyAndTheBadValue() {
        assertThatThrownBy(() -> new JsonDeserializer<>().configure(Map.of(), false))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Invalid value null for configuration kafkalab.json.value.type: JsonDeserializer needs"
                        + " the type to read: set kafkalab.json.value.type to a class or class name, or construct it"
                        + " with the type");
        assertThatThrownBy(() -> new JsonDeserializer<>().configure(
                Map.of(JsonDeserializer.KEY_TYPE_CONFIG, "com.example.Missing"), true))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Invalid value com.example.Missing for configuration kafkalab.json.key.type: no such class");
        assertThatThrownBy(() -> new JsonDeserializer<>(Order.class).configure(
                Map.of(JsonDeserializer.PREVIEW_BYTES_CONFIG, "-1"), false))
                .hasMessage("Invalid value -1 for configuration kafkalab.json.error.preview.bytes: must be a whole"
                        + " number >= 0");
        assertThatThrownBy(() -> new JsonDeserializer<>().deserialize(TOPIC, new byte[] {1}))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void unknownFieldsAreIgnoredUnlessConfiguredOtherwise() {
        byte[] json = "{\"id\":\"a\",\"quantity\":1,\"tags\":[],\"added\":true}".getBytes(StandardCharsets.UTF_8);
        assertThat(new JsonDeserializer<>(Order.class).deserialize(TOPIC, json)).isEqualTo(new Order("a", 1, List.of()));

        JsonDeserializer<Order> strict = new JsonDeserializer<>(Order.class);
        strict.configure(Map.of(JsonDeserializer.FAIL_ON_UNKNOWN_PROPERTIES_CONFIG, "true"), false);
        assertThatThrownBy(() -> strict.deserialize(TOPIC, json))
                .isInstanceOf(MessageDeserializationException.class).hasMessageContaining("\"added\"");
    }

    @Test
    void keepsLoneSurrogatesAsJsonEscapesSoTheBytesStayValidUtf8() {
        CustomMessage loneSurrogate = new CustomMessage("1", "bad \uD800 text");
        byte[] json = serializer.serialize(TOPIC, loneSurrogate);
        assertThat(new String(json, StandardCharsets.US_ASCII)).contains("bad \\uD800 text");
        assertThat(deserializer.deserialize(TOPIC, json)).isEqualTo(loneSurrogate);
    }

    @Test
    void reportsAValueJacksonCannotWriteWithATypedError() {
        JsonSerializer<Object> any = new JsonSerializer<>();
        assertThatThrownBy(() -> any.serialize("orders", new Object()))
                .isInstanceOf(MessageSerializationException.class)
                .hasMessageStartingWith("Cannot serialize java.lang.Object for topic 'orders': No serializer found");
    }

    @Test
    void refusesAJsonNullLiteralBecauseOnlyAbsentBytesAreATombstone() {
        assertThatThrownBy(() -> deserializer.deserialize(TOPIC, "null".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MessageDeserializationException.class)
                .hasMessageEndingWith("): JSON null is not a value; a tombstone is a record without a value");
    }

    @Test
    void refusesAJsonNullLiteralForTreeTypesToo() {
        // found by JsonDeserializerFuzzTest: Jackson reads "null" into a JsonNode as a NullNode, not as null
        JsonDeserializer<JsonNode> trees = new JsonDeserializer<>(JsonNode.class, JsonSerde.defaultMapper());
        assertThatThrownBy(() -> trees.deserialize(TOPIC, " null ".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MessageDeserializationException.class)
                .hasMessageEndingWith("): JSON null is not a value; a tombstone is a record without a value");
        assertThat(trees.deserialize(TOPIC, "{\"a\":null}".getBytes(StandardCharsets.UTF_8)).get("a").isNull())
                .isTrue();
    }

    @Test
    void customMessageRefusesNulls() {
        assertThatThrownBy(() -> new CustomMessage(null, "v")).isInstanceOf(NullPointerException.class).hasMessage("key");
        assertThatThrownBy(() -> new CustomMessage("k", null)).isInstanceOf(NullPointerException.class).hasMessage("value");
    }

    @Test
    void rendersControlCharactersAndInvalidBytesReadably() {
        byte[] bytes = {'a', '\n', 0, (byte) 0xFF, 'b'};
        assertThat(MessageDeserializationException.render(bytes)).isEqualTo("a\\n\\u0000\\xFFb");
    }

    private CustomMessage roundTrip(CustomMessage m) {
        return deserializer.deserialize(TOPIC, serializer.serialize(TOPIC, m));
    }

    private CustomMessage read(String json) {
        return deserializer.deserialize(TOPIC, json.getBytes(StandardCharsets.UTF_8));
    }

    /** Valid Unicode text: any code point but surrogates, weighted toward ASCII, Cyrillic and emoji. */
    static String randomText(Random random, int codePoints) {
        StringBuilder sb = new StringBuilder();
        List<int[]> ranges = new ArrayList<>(List.of(new int[] {0x20, 0x7E}, new int[] {0x0400, 0x04FF},
                new int[] {0x1F300, 0x1FAFF}, new int[] {0x00, 0x1F}, new int[] {0x80, 0xD7FF},
                new int[] {0xE000, 0xFFFD}, new int[] {0x10000, 0x10FFFF}));
        for (int i = 0; i < codePoints; i++) {
            int[] r = ranges.get(random.nextInt(ranges.size()));
            sb.appendCodePoint(r[0] + random.nextInt(r[1] - r[0] + 1));
        }
        return sb.toString();
    }
}
