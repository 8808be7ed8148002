/**
 * The root of kafkalab: {@link io.kafkalab.KafkaLabException}, the base of every exception the library
 * throws.
 *
 * <p>Null contract for every kafkalab package: parameters and return values are non-null unless their
 * Javadoc says otherwise.
 */
package io.kafkalab;
