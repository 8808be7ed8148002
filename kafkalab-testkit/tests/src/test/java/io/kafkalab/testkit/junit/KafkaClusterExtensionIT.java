package io.kafkalab.testkit.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.kafkalab.testkit.ClusterSecurity;
import io.kafkalab.testkit.EmbeddedKafkaCluster;
import io.kafkalab.testkit.KafkaCluster;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.internals.Exit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Runs small test classes through a nested JUnit engine and checks what the extension did for them:
 * which cluster each got, when it was closed, what misuse says.
 */
class KafkaClusterExtensionIT {

    static final List<KafkaCluster> SEEN = new CopyOnWriteArrayList<>();
    /** The classes of the restart test, in the order they ran. */
    static final List<Class<?>> RAN = new CopyOnWriteArrayList<>();

    @BeforeEach
    void clear() {
        SEEN.clear();
        RAN.clear();
    }

    @Test
    void injectsOneSharedClusterEverywhereAndClosesItWhenTheRunEnds() {
        EngineExecutionResults results = run(SharedA.class, SharedB.class);

        results.testEvents().assertStatistics(s -> s.succeeded(3).failed(0));
        // constructor, @BeforeAll, test method parameter, in two classes: one cluster
        assertThat(SEEN).hasSizeGreaterThanOrEqualTo(5);
        assertThat(SEEN.stream().distinct()).hasSize(1);
        EmbeddedKafkaCluster shared = (EmbeddedKafkaCluster) SEEN.get(0);
        assertThat(shared.brokerIds()).containsExactly(0);
        assertThatThrownBy(shared::admin).isInstanceOf(IllegalStateException.class).hasMessage("the cluster is closed");
    }

    @Test
    void givesAnUnsharedClassItsOwnClusterWithItsBrokerProperties() {
        EngineExecutionResults results = run(SharedA.class, Unshared.class);

        results.testEvents().assertStatistics(s -> s.succeeded(2).failed(0));
        assertThat(SEEN.stream().distinct()).hasSize(2);
        assertThat(SEEN).allSatisfy(c -> assertThatThrownBy(c::admin).isInstanceOf(IllegalStateException.class));
    }

    @Test
    void restartsABrokerThatAClassLeftStoppedBeforeTheNextClassSharesTheCluster() {
        // the class that stops a broker must run first, or the second would pass without any restart
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.testclass.order.default",
                        "org.junit.jupiter.api.ClassOrderer$OrderAnnotation")
                .selectors(selectClass(SeesAllBrokers.class), selectClass(StopsABroker.class)).execute();

        results.testEvents().assertStatistics(s -> s.succeeded(2).failed(0));
        assertThat(RAN).containsExactly(StopsABroker.class, SeesAllBrokers.class);
        assertThat(SEEN.stream().distinct()).hasSize(1);
    }

    @Test
    void givesClassesTheSecurityTheyAskForOnAClusterTheyShare() {
        EngineExecutionResults results = run(SharedA.class, Secured.class, SecuredToo.class);

        results.testEvents().assertStatistics(s -> s.succeeded(3).failed(0));
        // the plain class has a cluster of its own; the two secured classes share theirs
        assertThat(SEEN.stream().distinct()).hasSize(2);
        assertThat(SEEN.subList(SEEN.size() - 2, SEEN.size()).stream().distinct()).hasSize(1);
    }

    @Test
    void whileItsClusterIsOpenKafkasExitAndHaltThrowInsteadOfEndingTheJvm() {
        // were they not intercepted, this JVM would end here and the build with it
        EngineExecutionResults results = run(CallsExit.class);

        results.testEvents().assertStatistics(s -> s.succeeded(1).failed(0));
    }

    @Test
    void explainsMisuse() {
        assertThat(failureOf(NoBrokers.class)).isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("@KafkaTest(brokers = 0) on " + NoBrokers.class.getName()
                        + ": brokers must be between 1 and 32");
        assertThat(failureOf(BadProperty.class)).isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("@KafkaTest(brokerProperties) on " + BadProperty.class.getName()
                        + ": 'num.partitions' must have the form key=value");
        assertThat(failureOf(NoAnnotation.class)).isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageStartingWith("KafkaClusterExtension needs @KafkaTest on " + NoAnnotation.class.getName());
        assertThat(failureOf(ZooKeeperInThisJvm.class)).isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("@KafkaTest on " + ZooKeeperInThisJvm.class.getName() + ": version and zookeeper need"
                        + " backend = PROCESS (brokers in their own JVMs), but backend was EMBEDDED");
        assertThat(failureOf(BadVersion.class)).isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("@KafkaTest on " + BadVersion.class.getName() + ": version must look like 3.9.1, but"
                        + " was '3.9'");
        assertThat(failureOf(CombinedProcesses.class)).isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("@KafkaTest on " + CombinedProcesses.class.getName() + ": a PROCESS cluster has"
                        + " dedicated controllers (or ZooKeeper), but topology was COMBINED");
        assertThat(failureOf(SecuredProcesses.class)).isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("@KafkaTest on " + SecuredProcesses.class.getName() + ": security needs the embedded"
                        + " backend (the process and container clusters have PLAINTEXT listeners only), but the"
                        + " backend is PROCESS");
        assertThat(failureOf(UnusableSecurity.class)).isInstanceOf(ExtensionConfigurationException.class)
                .hasMessage("@KafkaTest(security = NeedsAnArgument.class) on " + UnusableSecurity.class.getName()
                        + ": the class needs a constructor without arguments");
    }

    @Test
    void versionOrZooKeeperAloneMeanAForkedCluster() {
        KafkaTest zookeeper = ZooKeeperOnly.class.getAnnotation(KafkaTest.class);
        KafkaTest version = VersionOnly.class.getAnnotation(KafkaTest.class);
        assertThat(KafkaClusterExtension.backend(zookeeper)).isEqualTo(KafkaTest.Backend.PROCESS);
        assertThat(KafkaClusterExtension.backend(version)).isEqualTo(KafkaTest.Backend.PROCESS);
        assertThat(KafkaClusterExtension.backend(NoBrokers.class.getAnnotation(KafkaTest.class)))
                .isEqualTo(KafkaTest.Backend.EMBEDDED);
    }

    private static EngineExecutionResults run(Class<?>... classes) {
        var request = EngineTestKit.engine("junit-jupiter");
        for (Class<?> c : classes) {
            request = request.selectors(selectClass(c));
        }
        return request.execute();
    }

    private static Throwable failureOf(Class<?> testClass) {
        EngineExecutionResults results = run(testClass);
        return results.allEvents().failed().stream().map(Event::getPayload)
                .flatMap(p -> p.stream())
                .map(p -> ((org.junit.platform.engine.TestExecutionResult) p).getThrowable().orElseThrow())
                .findFirst().orElseThrow(() -> new AssertionError(testClass + " did not fail"));
    }

    @KafkaTest(brokers = 1)
    static class SharedA {
        SharedA(KafkaCluster cluster) {
            SEEN.add(cluster);
        }

        @BeforeAll
        static void before(KafkaCluster cluster) {
            SEEN.add(cluster);
        }

        @Test
        void test(KafkaCluster cluster) {
            SEEN.add(cluster);
            assertThat(cluster.runningBrokerIds()).containsExactly(0);
        }
    }

    @KafkaTest(brokers = 1)
    static class SharedB {
        @Test
        void one(EmbeddedKafkaCluster cluster) {
            SEEN.add(cluster);
        }

        @Test
        void two(KafkaCluster cluster) {
            SEEN.add(cluster);
        }
    }

    /** alice may write {@code orders}, bob may not; the first user is the cluster's own super user. */
    // tag::security[]
    static final class Acls implements Supplier<ClusterSecurity> {
        private Acls() {
        }

        @Override
        public ClusterSecurity get() {
            return ClusterSecurity.builder().listeners(SecurityProtocol.SASL_PLAINTEXT)
                    .user("admin", "admin-secret").user("alice", "alice-secret").user("bob", "bob-secret")
                    .authorizer()
                    .allow("alice", ResourceType.TOPIC, PatternType.LITERAL, "orders", AclOperation.WRITE)
                    .build();
        }
    }

    @KafkaTest(brokers = 1, security = Acls.class)
    // end::security[]
    static class Secured {
        @Test
        void test(EmbeddedKafkaCluster cluster) throws Exception {
            SEEN.add(cluster);
            assertThat(cluster.security()).isPresent();
            cluster.createTopic("orders", 1, 1); // the admin is the super user
            send(cluster, "alice");
            assertThatThrownBy(() -> send(cluster, "bob")).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(TopicAuthorizationException.class);
        }

        static void send(EmbeddedKafkaCluster cluster, String user) throws Exception {
            Map<String, Object> config = new HashMap<>(cluster.clientConfig(SecurityProtocol.SASL_PLAINTEXT, user));
            config.put("key.serializer", StringSerializer.class);
            config.put("value.serializer", StringSerializer.class);
            config.put("enable.idempotence", false); // an idempotent producer is refused its id first
            config.put("acks", "1");
            config.put("max.block.ms", 30_000);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
                producer.send(new ProducerRecord<>("orders", "k", "from " + user)).get(30, TimeUnit.SECONDS);
            }
        }
    }

    @KafkaTest(brokers = 1, security = Acls.class)
    static class SecuredToo {
        @Test
        void test(EmbeddedKafkaCluster cluster) {
            SEEN.add(cluster);
            assertThat(cluster.security()).isPresent();
        }
    }

    @KafkaTest(brokers = 1, backend = KafkaTest.Backend.PROCESS, security = Acls.class)
    static class SecuredProcesses {
        @Test
        void test(KafkaCluster cluster) {
        }
    }

    static final class NeedsAnArgument implements Supplier<ClusterSecurity> {
        NeedsAnArgument(String user) {
        }

        @Override
        public ClusterSecurity get() {
            return null;
        }
    }

    @KafkaTest(brokers = 1, security = NeedsAnArgument.class)
    static class UnusableSecurity {
        @Test
        void test(KafkaCluster cluster) {
        }
    }

    @KafkaTest(brokers = 1, shared = false, brokerProperties = {"num.partitions = 4"})
    static class Unshared {
        @Test
        void test(KafkaCluster cluster) {
            SEEN.add(cluster);
            String topic = io.kafkalab.testkit.KafkaTestUtils.uniqueTopic("auto");
            io.kafkalab.testkit.KafkaTestUtils.produce(cluster, topic, 1,
                    i -> new org.apache.kafka.clients.producer.ProducerRecord<>(topic, "k", "v"));
            assertThat(cluster.describeTopic(topic).partitions()).hasSize(4);
        }
    }

    @KafkaTest(brokers = 2)
    @Order(1)
    static class StopsABroker {
        @Test
        void test(KafkaCluster cluster) {
            RAN.add(StopsABroker.class);
            SEEN.add(cluster);
            cluster.stopBroker(1);
            assertThat(cluster.runningBrokerIds()).containsExactly(0);
        }
    }

    @KafkaTest(brokers = 2)
    @Order(2)
    static class SeesAllBrokers {
        @Test
        void test(KafkaCluster cluster) {
            RAN.add(SeesAllBrokers.class);
            SEEN.add(cluster);
            assertThat(cluster.runningBrokerIds()).containsExactly(0, 1);
        }
    }

    @KafkaTest(brokers = 1)
    static class CallsExit {
        @Test
        void test(KafkaCluster cluster) {
            assertThatThrownBy(() -> Exit.exit(3, "a fatal fault")).isInstanceOf(IllegalStateException.class)
                    .hasMessage("embedded broker requested exit(3): a fatal fault");
            assertThatThrownBy(() -> Exit.halt(4, "a worse one")).isInstanceOf(IllegalStateException.class)
                    .hasMessage("embedded broker requested halt(4): a worse one");
            assertThat(cluster.runningBrokerIds()).containsExactly(0);
        }
    }

    @KafkaTest(brokers = 0)
    static class NoBrokers {
        @Test
        void test(KafkaCluster cluster) {
        }
    }

    @KafkaTest(brokers = 1, brokerProperties = "num.partitions")
    static class BadProperty {
        @Test
        void test(KafkaCluster cluster) {
        }
    }

    @ExtendWith(KafkaClusterExtension.class)
    static class NoAnnotation {
        @Test
        void test(KafkaCluster cluster) {
        }
    }

    @KafkaTest(backend = KafkaTest.Backend.EMBEDDED, zookeeper = true)
    static class ZooKeeperInThisJvm {
        @Test
        void test(KafkaCluster cluster) {
        }
    }

    @KafkaTest(version = "3.9")
    static class BadVersion {
        @Test
        void test(KafkaCluster cluster) {
        }
    }

    @KafkaTest(backend = KafkaTest.Backend.PROCESS, topology = EmbeddedKafkaCluster.Topology.COMBINED)
    static class CombinedProcesses {
        @Test
        void test(KafkaCluster cluster) {
        }
    }

    @KafkaTest(zookeeper = true)
    static class ZooKeeperOnly {
    }

    @KafkaTest(version = "3.9.1")
    static class VersionOnly {
    }
}
