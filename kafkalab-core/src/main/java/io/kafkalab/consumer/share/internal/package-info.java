/**
 * The share consumer runner's engine, not API: one poll's records deserialized, handled, decided and acknowledged,
 * and the counters. Everything here may change in any release.
 *
 * <p>Parameters and return values are non-null unless their Javadoc says otherwise.
 */
package io.kafkalab.consumer.share.internal;
