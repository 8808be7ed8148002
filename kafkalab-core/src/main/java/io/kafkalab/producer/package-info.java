/**
 * Producers with a delivery guarantee: {@link io.kafkalab.producer.DeliveryGuarantee} presets, the
 * {@link io.kafkalab.producer.Producers} factory that refuses settings breaking the guarantee, and
 * {@link io.kafkalab.producer.SendTracker} for "N sent, N acknowledged, 0 failed".
 *
 * <p>Parameters and return values are non-null unless their Javadoc says otherwise.
 */
package io.kafkalab.producer;
