package io.kafkalab.testkit.junit;

import io.kafkalab.testkit.EmbeddedKafkaCluster;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class a real Kafka cluster in this JVM. Declare a
 * {@link io.kafkalab.testkit.KafkaCluster} (or {@link EmbeddedKafkaCluster}) parameter on a constructor,
 * a lifecycle method or a test method to receive it.
 *
 * <pre>{@code
 * @KafkaTest(brokers = 3)
 * class OrdersIT {
 *     @Test
 *     void deliversEveryRecord(KafkaCluster cluster) { ... }
 * }
 * }</pre>
 *
 * <p><b>Sharing.</b> Starting a cluster costs around a second, so by default ({@link #shared()}) one cluster
 * per distinct configuration (brokers, topology, broker properties) serves every test class of the run
 * and is closed when the run ends. Tests must then use unique topic and group names
 * ({@link io.kafkalab.testkit.KafkaTestUtils#uniqueTopic(String)}). A class that stops brokers may still
 * share: after the class, the extension starts any broker it left stopped. A class that must not see
 * others' topics, or changes the cluster in other ways, sets {@code shared = false} and gets its own
 * cluster, closed after the class.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(KafkaClusterExtension.class)
public @interface KafkaTest {

    /** @return number of brokers, 1 to 32 */
    int brokers() default 3;

    /**
     * @return how controllers are placed; by default one dedicated controller, so stopping a broker never
     *     costs the quorum and the cluster closes in well under a second
     */
    EmbeddedKafkaCluster.Topology topology() default EmbeddedKafkaCluster.Topology.DEDICATED_CONTROLLER;

    /** @return broker properties as {@code key=value}, applied to every node */
    String[] brokerProperties() default {};

    /** @return whether classes with the same configuration share one cluster for the whole run */
    boolean shared() default true;

    /**
     * @return where the brokers run; by default the system property {@code kafkalab.cluster.backend} or the
     *     environment variable {@code KAFKALAB_CLUSTER_BACKEND} ({@code embedded} or {@code container}) decides,
     *     and without either, {@link Backend#EMBEDDED}
     */
    Backend backend() default Backend.DEFAULT;

    /** Where the brokers of a {@link KafkaTest} run. */
    enum Backend {
        /** As configured: system property, environment variable, else embedded. */
        DEFAULT,
        /** In this JVM ({@link EmbeddedKafkaCluster}). */
        EMBEDDED,
        /**
         * In Docker containers ({@link io.kafkalab.testkit.ContainerKafkaCluster}), always broker+controller nodes.
         * Without a Docker engine the test class is skipped with the reason, or fails when the system property
         * {@code kafkalab.require.docker} is {@code true}.
         */
        CONTAINER
    }
}
