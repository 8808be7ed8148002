/**
 * JUnit 5 fixtures: {@link io.kafkalab.testkit.junit.KafkaTest} gives a test class a real Kafka cluster
 * and injects it as a parameter; {@link io.kafkalab.testkit.junit.KafkaClusterExtension} implements it.
 *
 * <p>Parameters and return values are non-null unless their Javadoc says otherwise.
 */
package io.kafkalab.testkit.junit;
