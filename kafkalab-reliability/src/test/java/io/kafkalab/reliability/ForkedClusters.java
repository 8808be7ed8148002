package io.kafkalab.reliability;

import io.kafkalab.testkit.ForkedKafkaCluster;
import io.kafkalab.testkit.ForkedKafkaCluster.NodeState;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.utils.internals.AppInfoParser;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Forked clusters (every node a child JVM) shared by the test classes of one run: a forked cluster takes tens of
 * seconds to start on a loaded 2-core machine, so one per configuration serves every class that asks for it, and is
 * closed when the run ends. A class registers this extension ({@code @ExtendWith(ForkedClusters.class)}) and asks
 * for a cluster in its {@code @BeforeAll} or its tests; whoever faults a node restores it afterwards
 * ({@link #restore(ForkedKafkaCluster)}).
 */
final class ForkedClusters implements BeforeAllCallback {

    /** The clients' (and the in-JVM brokers') Kafka version: the current 4.x. */
    static final String CURRENT = AppInfoParser.getVersion();

    private static volatile ExtensionContext.Store store;

    @Override
    public void beforeAll(ExtensionContext context) {
        store = context.getRoot().getStore(ExtensionContext.Namespace.create(ForkedClusters.class));
    }

    /**
     * The hard-fault cluster: 3 brokers and 3 dedicated KRaft controllers at the current version, unclean leader
     * election off (Kafka's default, set so that no default can change it).
     */
    static ForkedKafkaCluster faults() {
        return shared("faults-" + CURRENT, b -> b.version(CURRENT).brokers(3).controllers(3));
    }

    /**
     * A cluster shared by this run under {@code key}, started by {@code spec} on first use.
     *
     * @param key  which cluster: equal keys get the same one
     * @param spec sets the builder's brokers, controllers and version
     */
    static ForkedKafkaCluster shared(String key, UnaryOperator<ForkedKafkaCluster.Builder> spec) {
        ExtensionContext.Store s = Objects.requireNonNull(store, "register @ExtendWith(ForkedClusters.class)");
        return s.getOrComputeIfAbsent(key, k -> new Closing(spec.apply(ForkedKafkaCluster.builder())
                .brokerProperty("unclean.leader.election.enable", "false")
                // the controller's check for leaderless partitions (Kafka's default: 5 minutes): each second, so that
                // unclean election, were it on, would happen within a test
                .brokerProperty("unclean.leader.election.interval.ms", "1000")
                .logDirectory(Path.of(System.getProperty("kafkalab.forked.logs", "target/forked-logs"), k))
                .start()), Closing.class).cluster;
    }

    /** Resumes every paused node and starts every stopped one, so that the next test finds the whole cluster. */
    static void restore(ForkedKafkaCluster cluster) {
        for (int id : cluster.nodeIds()) {
            if (cluster.state(id) == NodeState.PAUSED) {
                cluster.resumeNode(id);
            } else if (cluster.state(id) == NodeState.STOPPED) {
                cluster.startNode(id);
            }
        }
    }

    /**
     * Closes the cluster when JUnit closes the root store, at the end of the run: SIGKILL first, since nothing needs
     * a controlled shutdown of a temporary cluster that is about to be deleted (it saves ~10 s of the build).
     */
    private record Closing(ForkedKafkaCluster cluster) implements AutoCloseable {
        @Override
        public void close() {
            cluster.nodeIds().stream().filter(id -> cluster.state(id) != NodeState.STOPPED).forEach(cluster::killNode);
            cluster.close();
        }
    }
}
