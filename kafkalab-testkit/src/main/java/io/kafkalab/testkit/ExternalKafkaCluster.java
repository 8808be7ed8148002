package io.kafkalab.testkit;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import io.kafkalab.testkit.internal.LazyAdmin;
import org.apache.kafka.common.Node;

/**
 * A cluster that runs elsewhere (docker-compose, a server, {@code ./kafkalab cluster} in another terminal),
 * reached through its bootstrap servers: the same topic and status operations as an embedded cluster, but
 * brokers cannot be stopped or started from here.
 *
 * <p>Thread safe. {@link #close()} closes only the admin client.
 */
public final class ExternalKafkaCluster implements KafkaCluster {

    private final String bootstrapServers;
    private final Map<String, Object> clientConfig;
    private final LazyAdmin admin = new LazyAdmin(() -> {
        Map<String, Object> config = adminConfig();
        config.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) operationTimeout().toMillis());
        return config;
    }, "kafkalab-admin", "the cluster connection is closed");

    ExternalKafkaCluster(String bootstrapServers, Map<String, ?> clientConfig) {
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        this.clientConfig = new HashMap<>(clientConfig);
    }

    @Override
    public String bootstrapServers() {
        return bootstrapServers;
    }

    @Override
    public List<Integer> brokerIds() {
        return nodes().stream().map(Node::id).sorted().toList();
    }

    @Override
    public List<Integer> runningBrokerIds() {
        return brokerIds();
    }

    @Override
    public List<BrokerStatus> status() {
        OptionalInt leader = activeControllerId();
        return nodes().stream().sorted(java.util.Comparator.comparingInt(Node::id))
                .map(n -> new BrokerStatus(n.id(), Set.of("broker"), n.host() + ":" + n.port(), true,
                        leader.isPresent() && leader.getAsInt() == n.id()))
                .toList();
    }

    /** @throws UnsupportedOperationException always: an external cluster's brokers are not ours to stop */
    @Override
    public void stopBroker(int brokerId) {
        throw new UnsupportedOperationException("cannot stop broker " + brokerId + " of an external cluster");
    }

    /** @throws UnsupportedOperationException always: an external cluster's brokers are not ours to start */
    @Override
    public void startBroker(int brokerId) {
        throw new UnsupportedOperationException("cannot start broker " + brokerId + " of an external cluster");
    }

    @Override
    public Map<String, Object> adminConfig() {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return config;
    }

    @Override
    public Admin admin() {
        return admin.get();
    }

    @Override
    public void close() {
        admin.close();
    }

    private Collection<Node> nodes() {
        return await(admin().describeCluster().nodes(), "describe cluster at " + bootstrapServers);
    }
}
