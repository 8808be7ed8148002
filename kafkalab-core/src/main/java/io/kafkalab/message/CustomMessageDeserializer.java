package io.kafkalab.message;

/**
 * A {@link JsonDeserializer} for {@link CustomMessage} that needs no configuration, for consumer configs
 * that name the deserializer by class: {@code value.deserializer=io.kafkalab.message.CustomMessageDeserializer}.
 *
 * <p>Thread safe.
 */
public class CustomMessageDeserializer extends JsonDeserializer<CustomMessage> {

    /** With kafkalab's default mapper. */
    public CustomMessageDeserializer() {
        super(CustomMessage.class);
    }
}
