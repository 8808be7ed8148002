/**
 * Messages and their JSON serdes: the lab's {@link io.kafkalab.message.CustomMessage}, and generic
 * {@link io.kafkalab.message.JsonSerializer}, {@link io.kafkalab.message.JsonDeserializer} and
 * {@link io.kafkalab.message.JsonSerde} for any Jackson-mappable type, following Kafka's serde conventions.
 * Bad bytes become a {@link io.kafkalab.message.MessageDeserializationException} with its context.
 *
 * <p>Parameters and return values are non-null unless their Javadoc says otherwise; serdes map
 * {@code null} to {@code null}.
 */
package io.kafkalab.message;
