/**
 * Implementation of {@code io.kafkalab.micrometer}: not API, may change without notice.
 *
 * <p>Parameters and return values are non-null unless their Javadoc says otherwise.
 */
package io.kafkalab.micrometer.internal;
