package io.kafkalab.producer;

import io.kafkalab.KafkaLabException;

/**
 * A producer setting conflicts with the chosen {@link DeliveryGuarantee}, for example {@code acks=1} under
 * {@link DeliveryGuarantee#AT_LEAST_ONCE}. Raised when the producer is built, before any record is sent;
 * the message names the key, the value and what to do instead.
 *
 * <p>Immutable.
 */
public class ProducerConfigException extends KafkaLabException {

    private static final long serialVersionUID = 1L;

    private final DeliveryGuarantee guarantee;
    private final String key;
    private final String value;

    /**
     * @param guarantee the guarantee the setting breaks
     * @param key       the config key
     * @param value     the value given, or null when the key is missing
     * @param message   the whole message
     */
    public ProducerConfigException(DeliveryGuarantee guarantee, String key, String value, String message) {
        super(message);
        this.guarantee = guarantee;
        this.key = key;
        this.value = value;
    }

    /** @return the guarantee the setting breaks */
    public DeliveryGuarantee guarantee() {
        return guarantee;
    }

    /** @return the config key */
    public String key() {
        return key;
    }

    /** @return the value given, or null when the key is missing */
    public String value() {
        return value;
    }
}
