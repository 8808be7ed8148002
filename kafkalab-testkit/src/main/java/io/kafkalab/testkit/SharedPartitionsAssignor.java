package io.kafkalab.testkit;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.coordinator.group.api.assignor.GroupAssignment;
import org.apache.kafka.coordinator.group.api.assignor.GroupSpec;
import org.apache.kafka.coordinator.group.api.assignor.MemberAssignment;
import org.apache.kafka.coordinator.group.api.assignor.PartitionAssignorException;
import org.apache.kafka.coordinator.group.api.assignor.ShareGroupPartitionAssignor;
import org.apache.kafka.coordinator.group.api.assignor.SubscribedTopicDescriber;

/**
 * A broker-side share-group assignor that gives every member every assignable partition of the topics it subscribes
 * to, so that the members of a share group split a topic's records among themselves whatever the partition count
 * (the way KIP-932 first described share groups, and Kafka 4.0's {@code simple} assignor did). Kafka 4.4's
 * {@code simple} assignor shares a partition only when there are more members than partitions: two members on three
 * partitions get two and one, and split the records by partition.
 *
 * <p>Plug it into a cluster whose brokers have it on their class path (an {@link EmbeddedKafkaCluster}):
 * <pre>{@code
 * EmbeddedKafkaCluster.builder().brokerProperty(SharedPartitionsAssignor.BROKER_CONFIG,
 *         SharedPartitionsAssignor.class.getName()).start();
 * }</pre>
 * Kafka loads it by class name (a public no-arg constructor) and calls it on the group coordinator's threads;
 * it is stateless and thread safe.
 */
public final class SharedPartitionsAssignor implements ShareGroupPartitionAssignor {

    /** The broker configuration that names the share-group assignors (the first is used). */
    public static final String BROKER_CONFIG = "group.share.assignors";
    /** This assignor's name. */
    public static final String NAME = "kafkalab-shared-partitions";

    /** For Kafka, which creates it by reflection. */
    public SharedPartitionsAssignor() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public GroupAssignment assign(GroupSpec group, SubscribedTopicDescriber topics)
            throws PartitionAssignorException {
        Map<String, MemberAssignment> members = new HashMap<>();
        for (String member : group.memberIds()) {
            Map<Uuid, Set<Integer>> partitions = new HashMap<>();
            for (Uuid topic : group.memberSubscription(member).subscribedTopicIds()) {
                int count = topics.numPartitions(topic);
                if (count < 0) {
                    throw new PartitionAssignorException("members are subscribed to topic " + topic
                            + ", which is not in the topic metadata");
                }
                Set<Integer> assignable = new HashSet<>();
                for (int p = 0; p < count; p++) {
                    if (group.isPartitionAssignable(topic, p)) {
                        assignable.add(p);
                    }
                }
                if (!assignable.isEmpty()) {
                    partitions.put(topic, assignable);
                }
            }
            members.put(member, new Assignment(Map.copyOf(partitions)));
        }
        return new GroupAssignment(members);
    }

    /** A member's partitions; a record, so that an unchanged assignment compares equal to the last one. */
    private record Assignment(Map<Uuid, Set<Integer>> partitions) implements MemberAssignment {
    }
}
