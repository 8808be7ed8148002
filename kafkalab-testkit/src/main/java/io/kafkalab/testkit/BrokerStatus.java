package io.kafkalab.testkit;

import java.util.Objects;
import java.util.Set;

/**
 * A snapshot of one node of a cluster.
 *
 * @param id          the node id ({@code node.id})
 * @param roles       {@code broker}, {@code controller} or both, as in {@code process.roles}; {@code zookeeper} for
 *                    the ZooKeeper server of a ZooKeeper-mode {@link ForkedKafkaCluster}
 * @param listener    {@code host:port} of the client listener (brokers) or of the controller listener
 *                    (controller-only nodes)
 * @param running     whether the node is running now
 * @param quorumLeader whether this node is the active controller (the leader of the metadata quorum; in ZooKeeper
 *                    mode the broker that ZooKeeper elected controller)
 */
public record BrokerStatus(int id, Set<String> roles, String listener, boolean running, boolean quorumLeader) {

    /** Validates and copies the roles. */
    public BrokerStatus {
        roles = Set.copyOf(roles);
        Objects.requireNonNull(listener, "listener");
    }

    /** @return whether this node serves clients */
    public boolean isBroker() {
        return roles.contains("broker");
    }

    /** @return whether this node is a voter of the metadata quorum */
    public boolean isController() {
        return roles.contains("controller");
    }

    /** One line, the way the {@code cluster} command's {@code status} prints it. */
    @Override
    public String toString() {
        return String.format("node %d %-21s %-4s roles=%s%s", id, listener, running ? "up" : "down",
                String.join(",", roles.stream().sorted().toList()), quorumLeader ? " (active controller)" : "");
    }
}
