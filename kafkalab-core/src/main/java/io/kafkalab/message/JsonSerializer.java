package io.kafkalab.message;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes any Jackson-mappable value (records, beans, maps) as UTF-8 JSON. {@code null} becomes
 * {@code null}, so tombstones pass through.
 *
 * <p>Follows Kafka's serializer conventions: a public no-arg constructor for use by class name in a
 * producer config ({@code value.serializer=io.kafkalab.message.JsonSerializer}), and constructors taking an
 * {@link ObjectMapper} for anything the default mapper does not handle (Java time types need
 * {@code jackson-datatype-jsr310} registered, for example). It has no config keys of its own.
 *
 * <p>Thread safe once constructed: a {@code KafkaProducer} may call it from any thread.
 *
 * @param <T> the type of values written
 */
public class JsonSerializer<T> implements Serializer<T> {

    private final ObjectWriter writer;

    /** With kafkalab's default mapper ({@link JsonSerde#defaultMapper()}). */
    public JsonSerializer() {
        this(JsonSerde.defaultMapper());
    }

    /**
     * @param mapper the mapper to write with; never null
     */
    public JsonSerializer(ObjectMapper mapper) {
        this.writer = Objects.requireNonNull(mapper, "mapper").writer();
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        // nothing to configure: the mapper decides the JSON shape
    }

    /**
     * @param topic the topic; used in the error message only
     * @param data  the value; may be null
     * @return UTF-8 JSON, or null for null
     * @throws MessageSerializationException when Jackson cannot write the value
     */
    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        try {
            return writer.writeValueAsBytes(data);
        } catch (JsonProcessingException e) {
            throw new MessageSerializationException(topic, data.getClass().getName(), e);
        }
    }
}
