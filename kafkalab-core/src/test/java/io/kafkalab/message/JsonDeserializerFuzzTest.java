package io.kafkalab.message;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Arbitrary bytes off a topic through the JSON deserializers: a value comes back, or a
 * {@link MessageDeserializationException} with a bounded preview; nothing else escapes (no Jackson exception,
 * no {@code StackOverflowError} on deep nesting, no {@code OutOfMemoryError} on huge numbers or strings).
 *
 * <p>Without {@code JAZZER_FUZZ} this runs the committed inputs under
 * {@code src/test/resources/io/kafkalab/message/JsonDeserializerFuzzTestInputs/} as regression tests.
 */
class JsonDeserializerFuzzTest {

    private final CustomMessageDeserializer messages = new CustomMessageDeserializer();
    private final JsonDeserializer<JsonNode> trees = new JsonDeserializer<>(JsonNode.class, JsonSerde.defaultMapper());
    private final JsonSerializer<Object> serializer = new JsonSerializer<>();

    @FuzzTest(maxDuration = "10s")
    void bytesBecomeAValueOrATypedError(byte[] data) {
        CustomMessage message = deserializeOrNull(messages, data);
        if (message != null) {
            assertThat(message.key()).isNotNull();
            assertThat(message.value()).isNotNull();
            // what was read writes back and reads again to the same message
            assertThat(messages.deserialize("t", serializer.serialize("t", message))).isEqualTo(message);
        }
        JsonNode tree = deserializeOrNull(trees, data);
        if (tree != null) {
            assertThat(tree.isNull()).as("a JSON null is refused, not passed as a tombstone").isFalse();
        }
    }

    private static <T> T deserializeOrNull(JsonDeserializer<T> deserializer, byte[] data) {
        try {
            T value = deserializer.deserialize("fuzz", data);
            assertThat(value).as("only null bytes read as null").isNotNull();
            return value;
        } catch (MessageDeserializationException e) {
            assertThat(e.length()).isEqualTo(data.length);
            assertThat(e.previewBytes()).hasSizeLessThanOrEqualTo(JsonDeserializer.DEFAULT_PREVIEW_BYTES);
            assertThat(e.topic()).isEqualTo("fuzz");
            return null;
        }
    }
}
