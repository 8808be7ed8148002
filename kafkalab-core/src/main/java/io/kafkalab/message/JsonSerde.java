package io.kafkalab.message;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A {@link JsonSerializer} and a {@link JsonDeserializer} for one type, as a Kafka {@link Serde}.
 *
 * <p>Constructed with a type, or with the public no-arg constructor and then
 * {@link #configure(Map, boolean)} with {@link JsonDeserializer#VALUE_TYPE_CONFIG} (or
 * {@link JsonDeserializer#KEY_TYPE_CONFIG}).
 *
 * <p>Thread safe once configured.
 *
 * @param <T> the type of values
 */
public class JsonSerde<T> implements Serde<T> {

    private static final ObjectMapper DEFAULT_MAPPER = JsonMapper.builder()
            // forward compatibility: a newer producer may add fields
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // one record holds one JSON value; anything after it is corruption, not data to ignore
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final JsonSerializer<T> serializer;
    private final JsonDeserializer<T> deserializer;

    /** For use by class name; {@link #configure(Map, boolean)} must then name the type. */
    public JsonSerde() {
        this.serializer = new JsonSerializer<>();
        this.deserializer = new JsonDeserializer<>();
    }

    /**
     * @param type the type; never null
     */
    public JsonSerde(Class<T> type) {
        this(type, DEFAULT_MAPPER);
    }

    /**
     * @param type   the type; never null
     * @param mapper the mapper for both directions; never null
     */
    public JsonSerde(Class<T> type, ObjectMapper mapper) {
        this.serializer = new JsonSerializer<>(mapper);
        this.deserializer = new JsonDeserializer<>(Objects.requireNonNull(type, "type"), mapper);
    }

    /**
     * The mapper kafkalab uses unless given another: unknown properties ignored, trailing tokens refused,
     * otherwise Jackson's defaults. Shared; do not reconfigure it, {@code copy()} it instead.
     *
     * @return the shared default mapper
     */
    public static ObjectMapper defaultMapper() {
        return DEFAULT_MAPPER;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        serializer.configure(configs, isKey);
        deserializer.configure(configs, isKey);
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }
}
