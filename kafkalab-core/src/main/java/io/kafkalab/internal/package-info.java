/**
 * Helpers shared by kafkalab's packages, not API: may change in any release.
 *
 * <p>Parameters and return values are non-null unless their Javadoc says otherwise.
 */
package io.kafkalab.internal;
