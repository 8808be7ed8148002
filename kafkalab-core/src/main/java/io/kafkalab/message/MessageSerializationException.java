package io.kafkalab.message;

import io.kafkalab.KafkaLabException;

/**
 * A value could not be written as JSON, for example because it holds a type the {@code ObjectMapper}
 * cannot serialize or text that is not valid Unicode (a lone surrogate).
 *
 * <p>Thrown by {@link JsonSerializer#serialize(String, Object)}; a producer's {@code send} passes it on.
 */
public class MessageSerializationException extends KafkaLabException {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final String type;

    /**
     * @param topic the topic the value was meant for; may be null
     * @param type  the class of the value
     * @param cause what Jackson reported
     */
    public MessageSerializationException(String topic, String type, Throwable cause) {
        super("Cannot serialize " + type + " for topic '" + topic + "': " + cause.getMessage(), cause);
        this.topic = topic;
        this.type = type;
    }

    /** @return the topic the value was meant for; may be null */
    public String topic() {
        return topic;
    }

    /** @return the class name of the value */
    public String type() {
        return type;
    }
}
