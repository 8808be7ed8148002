package io.kafkalab.message;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads UTF-8 JSON into a type: records, beans, generic types through a {@link TypeReference}.
 * {@code null} becomes {@code null} (tombstones).
 *
 * <p>Bad bytes (truncated, not JSON, invalid UTF-8, wrong field types, a required field missing,
 * trailing garbage, a JSON {@code null} literal, which would otherwise pass for a tombstone) raise a {@link MessageDeserializationException} with the topic, the target type and a
 * bounded preview of the bytes. It never returns a partial value.
 *
 * <p>Configuration, following Kafka's serde conventions: either construct it with a type, or use the
 * public no-arg constructor (for example by class name in a consumer config) and set
 * {@link #VALUE_TYPE_CONFIG} (or {@link #KEY_TYPE_CONFIG} for keys). A type given to a constructor wins
 * over the config. Unknown JSON fields are ignored unless {@link #FAIL_ON_UNKNOWN_PROPERTIES_CONFIG} is
 * true (types annotated with {@code @JsonIgnoreProperties}, such as {@link CustomMessage}, decide for
 * themselves).
 *
 * <p>Thread safe once configured.
 *
 * @param <T> the type of values read
 */
public class JsonDeserializer<T> implements Deserializer<T> {

    /** Class (or class name) of the values, for a value deserializer built with the no-arg constructor. */
    public static final String VALUE_TYPE_CONFIG = "kafkalab.json.value.type";
    /** Class (or class name) of the keys, for a key deserializer built with the no-arg constructor. */
    public static final String KEY_TYPE_CONFIG = "kafkalab.json.key.type";
    /** Whether JSON fields the type does not know fail the record; default {@code false}. */
    public static final String FAIL_ON_UNKNOWN_PROPERTIES_CONFIG = "kafkalab.json.fail.on.unknown.properties";
    /** How many raw bytes an error message shows and keeps; default {@value #DEFAULT_PREVIEW_BYTES}. */
    public static final String PREVIEW_BYTES_CONFIG = "kafkalab.json.error.preview.bytes";
    /** Default of {@link #PREVIEW_BYTES_CONFIG}. */
    public static final int DEFAULT_PREVIEW_BYTES = 64;

    private final ObjectMapper mapper;
    private JavaType type;
    private ObjectReader reader;
    private int previewBytes = DEFAULT_PREVIEW_BYTES;

    /** For use by class name; {@link #configure(Map, boolean)} must then name the type. */
    public JsonDeserializer() {
        this.mapper = JsonSerde.defaultMapper();
    }

    /**
     * @param type the type to read; never null
     */
    public JsonDeserializer(Class<T> type) {
        this(type, JsonSerde.defaultMapper());
    }

    /**
     * @param type   the type to read; never null
     * @param mapper the mapper to read with; never null
     */
    public JsonDeserializer(Class<T> type, ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        use(mapper.constructType(Objects.requireNonNull(type, "type")));
    }

    /**
     * For generic types, such as {@code new TypeReference<List<CustomMessage>>() {}}.
     *
     * @param type   the type to read; never null
     * @param mapper the mapper to read with; never null
     */
    public JsonDeserializer(TypeReference<T> type, ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        use(mapper.constructType(Objects.requireNonNull(type, "type")));
    }

    /**
     * Reads {@link #VALUE_TYPE_CONFIG} or {@link #KEY_TYPE_CONFIG} (when no type was given to the
     * constructor), {@link #FAIL_ON_UNKNOWN_PROPERTIES_CONFIG} and {@link #PREVIEW_BYTES_CONFIG}.
     *
     * @throws ConfigException naming the key when the type is missing or not a loadable class, or a value
     *                         has the wrong form
     */
    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        String typeKey = isKey ? KEY_TYPE_CONFIG : VALUE_TYPE_CONFIG;
        if (type == null) {
            Object configured = configs.get(typeKey);
            if (configured == null) {
                throw new ConfigException(typeKey, null, "JsonDeserializer needs the type to read: set "
                        + typeKey + " to a class or class name, or construct it with the type");
            }
            use(mapper.constructType(loadClass(typeKey, configured)));
        }
        Object preview = configs.get(PREVIEW_BYTES_CONFIG);
        if (preview != null) {
            try {
                previewBytes = Integer.parseInt(preview.toString().trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(PREVIEW_BYTES_CONFIG, preview, "must be a whole number >= 0");
            }
            if (previewBytes < 0) {
                throw new ConfigException(PREVIEW_BYTES_CONFIG, preview, "must be a whole number >= 0");
            }
        }
        Object failOnUnknown = configs.get(FAIL_ON_UNKNOWN_PROPERTIES_CONFIG);
        if (failOnUnknown != null) {
            String s = failOnUnknown.toString().trim();
            if (!s.equalsIgnoreCase("true") && !s.equalsIgnoreCase("false")) {
                throw new ConfigException(FAIL_ON_UNKNOWN_PROPERTIES_CONFIG, failOnUnknown, "must be true or false");
            }
            reader = Boolean.parseBoolean(s) ? reader.with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    : reader.without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        }
    }

    /**
     * @param topic the topic the bytes came from; used in the error only
     * @param data  UTF-8 JSON; may be null
     * @return the value, or null for null
     * @throws MessageDeserializationException when the bytes are not a valid value of the type
     * @throws IllegalStateException           when no type was given or configured
     */
    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (reader == null) {
            throw new IllegalStateException("JsonDeserializer has no type: construct it with one or call configure"
                    + " with " + VALUE_TYPE_CONFIG + " or " + KEY_TYPE_CONFIG);
        }
        T value;
        try {
            value = reader.readValue(data);
        } catch (IOException | RuntimeException e) {
            throw new MessageDeserializationException(topic, type.toCanonical(), data, previewBytes, e);
        }
        if (value == null || value instanceof JsonNode node && node.isNull()) {
            // "null" text would come back as null and pass for a tombstone, hiding the record (or, for a tree type,
            // as a NullNode that is just as empty)
            throw new MessageDeserializationException(topic, type.toCanonical(), data, previewBytes,
                    new IllegalArgumentException("JSON null is not a value; a tombstone is a record without a value"));
        }
        return value;
    }

    /** @return the type this deserializer reads, or null before it is configured */
    public JavaType type() {
        return type;
    }

    private void use(JavaType javaType) {
        this.type = javaType;
        this.reader = mapper.readerFor(javaType);
    }

    private static Class<?> loadClass(String key, Object configured) {
        if (configured instanceof Class<?> c) {
            return c;
        }
        String name = configured.toString().trim();
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            return Class.forName(name, true, loader != null ? loader : JsonDeserializer.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ConfigException(key, configured, "no such class");
        }
    }
}
