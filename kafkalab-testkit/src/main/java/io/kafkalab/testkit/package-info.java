/**
 * A real Kafka cluster for tests and demos: {@link io.kafkalab.testkit.KafkaCluster}, its in-JVM
 * implementation {@link io.kafkalab.testkit.EmbeddedKafkaCluster}, and {@link io.kafkalab.testkit.KafkaTestUtils}
 * for what tests do constantly (unique names, produce, consume until a count, committed offsets).
 *
 * <p>Nothing here depends on JUnit; the JUnit 5 extension lives in {@code io.kafkalab.testkit.junit}.
 * Parameters and return values are non-null unless their Javadoc says otherwise.
 */
package io.kafkalab.testkit;
