package io.kafkalab.message;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * The lab's message: a key/value pair of strings, sent as JSON {@code {"key":"3","value":"..."}} and
 * keyed in Kafka by the same key (the user id), so every message of one user lands in one partition.
 *
 * <p>Reads the JSON that other languages write for this shape, Python's {@code json.dumps} included
 * (any field order, {@code \\uXXXX} escapes, a number where the key is expected), and ignores fields it
 * does not know, so that a newer producer can add fields without breaking older consumers. Any Unicode
 * text round-trips.
 *
 * <p>Immutable and thread safe.
 *
 * <pre>{@code
 * Serde<CustomMessage> serde = CustomMessage.serde();
 * byte[] json = serde.serializer().serialize("topic", new CustomMessage("3", "Привет"));
 * }</pre>
 *
 * @param key   the user id; never null
 * @param value the text; never null (may be empty)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CustomMessage(String key, String value) {

    /**
     * @param key   the user id; never null
     * @param value the text; never null (may be empty)
     * @throws NullPointerException naming the missing field
     */
    @JsonCreator
    public CustomMessage(@JsonProperty(value = "key", required = true) String key,
                         @JsonProperty(value = "value", required = true) String value) {
        this.key = Objects.requireNonNull(key, "key");
        this.value = Objects.requireNonNull(value, "value");
    }

    /** @return a serde for this type with kafkalab's default {@code ObjectMapper} */
    public static JsonSerde<CustomMessage> serde() {
        return new JsonSerde<>(CustomMessage.class);
    }
}
