package io.kafkalab.testkit.junit;

import io.kafkalab.testkit.ClusterSecurity;
import io.kafkalab.testkit.EmbeddedKafkaCluster;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class a real Kafka cluster: in this JVM by default, or in child processes or containers
 * ({@link #backend()}). Declare a {@link io.kafkalab.testkit.KafkaCluster} (or the backend's own class:
 * {@link EmbeddedKafkaCluster}, {@link io.kafkalab.testkit.ForkedKafkaCluster},
 * {@link io.kafkalab.testkit.ContainerKafkaCluster}) parameter on a constructor, a lifecycle method or a test method
 * to receive it.
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
 *
 * <p><b>Processes, versions, ZooKeeper.</b> {@code @KafkaTest(backend = PROCESS, version = "3.9.1", zookeeper = true)}
 * runs a {@link io.kafkalab.testkit.ForkedKafkaCluster}: every node a child JVM (SIGKILL, SIGSTOP), brokers of
 * another Kafka version, and ZooKeeper mode. {@link #version()} or {@link #zookeeper()} alone imply
 * {@link Backend#PROCESS}.
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

    /**
     * @return the brokers' Kafka version, such as {@code 3.9.1} (a {@link Backend#PROCESS} cluster's, from the
     *     directories in the system property {@code kafkalab.kafka.distributions}); empty for the clients' own
     *     version, or {@value io.kafkalab.testkit.ForkedKafkaCluster#LAST_ZOOKEEPER_VERSION} with
     *     {@link #zookeeper()}
     */
    String version() default "";

    /**
     * @return whether the brokers run on a ZooKeeper server instead of KRaft controllers (Kafka before 4.0 only;
     *     a {@link Backend#PROCESS} cluster's {@link io.kafkalab.testkit.ForkedKafkaCluster.Builder#zookeeper()})
     */
    boolean zookeeper() default false;

    /**
     * @return a class whose {@code get()} gives the cluster's listeners, users, authorizer and ACLs (see
     *     {@link io.kafkalab.testkit.ClusterSecurity}); it needs a no-argument constructor (it may be a nested class,
     *     private or not) and is created once per cluster. Classes naming the same security class share a cluster
     *     like any other configuration. The default, {@link Plaintext}, is a PLAINTEXT cluster with no authorizer.
     *     The embedded backend only.
     *     <pre>{@code
     * @KafkaTest(brokers = 1, security = OrdersIT.Acls.class)
     * class OrdersIT {
     *     static final class Acls implements Supplier<ClusterSecurity> {
     *         public ClusterSecurity get() {
     *             return ClusterSecurity.builder().listeners(SecurityProtocol.SASL_PLAINTEXT)
     *                     .user("admin", "admin-secret").user("alice", "alice-secret").authorizer()
     *                     .allow("alice", ResourceType.TOPIC, PatternType.LITERAL, "orders", AclOperation.WRITE)
     *                     .build();
     *         }
     *     }
     * }
     * }</pre>
     */
    Class<? extends Supplier<ClusterSecurity>> security() default Plaintext.class;

    /** @return whether classes with the same configuration share one cluster for the whole run */
    boolean shared() default true;

    /**
     * @return where the brokers run; by default the system property {@code kafkalab.cluster.backend} or the
     *     environment variable {@code KAFKALAB_CLUSTER_BACKEND} ({@code embedded}, {@code process} or
     *     {@code container}) decides, and without either, {@link Backend#EMBEDDED}; {@link #version()} or
     *     {@link #zookeeper()} make it {@link Backend#PROCESS}
     */
    Backend backend() default Backend.DEFAULT;

    /** The default {@link #security()}: PLAINTEXT listeners, no users, no authorizer; never called. */
    final class Plaintext implements Supplier<ClusterSecurity> {
        private Plaintext() {
        }

        /** @throws UnsupportedOperationException always: the extension checks for this class instead */
        @Override
        public ClusterSecurity get() {
            throw new UnsupportedOperationException("Plaintext is the marker of a cluster without security");
        }
    }

    /** Where the brokers of a {@link KafkaTest} run. */
    enum Backend {
        /** As configured: system property, environment variable, else embedded. */
        DEFAULT,
        /** In this JVM ({@link EmbeddedKafkaCluster}). */
        EMBEDDED,
        /**
         * Every node a child JVM of its own ({@link io.kafkalab.testkit.ForkedKafkaCluster}): one dedicated controller
         * (or ZooKeeper), any {@link #version()}. Each node's output goes to {@code <dir>/<test class>/node-<id>.log}
         * when the system property {@code kafkalab.forked.logs} names a directory, else into the cluster's temporary
         * directory.
         */
        PROCESS,
        /**
         * In Docker containers ({@link io.kafkalab.testkit.ContainerKafkaCluster}), always broker+controller nodes.
         * Without a Docker engine the test class is skipped with the reason, or fails when the system property
         * {@code kafkalab.require.docker} is {@code true}.
         */
        CONTAINER
    }
}
