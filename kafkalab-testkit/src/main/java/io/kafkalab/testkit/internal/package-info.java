/**
 * Implementation details of the testkit: not part of its API, may change in any release.
 */
package io.kafkalab.testkit.internal;
