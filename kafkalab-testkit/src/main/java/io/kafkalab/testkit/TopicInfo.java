package io.kafkalab.testkit;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What a topic looks like now: its partitions with leader, replicas and in-sync replicas.
 *
 * <p>Immutable. {@link #toString()} prints the same view as {@code kafka-topics.sh --describe}.
 *
 * @param name       topic name
 * @param topicId    the topic id Kafka gave it
 * @param partitions partitions in partition order
 * @param configs    the topic configs that differ from the broker defaults
 */
public record TopicInfo(String name, String topicId, List<Partition> partitions, Map<String, String> configs) {

    /** Validates and copies. */
    public TopicInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(topicId, "topicId");
        partitions = List.copyOf(partitions);
        configs = Map.copyOf(configs);
    }

    /** @return the number of replicas of partition 0 (all partitions have the same unless reassigned) */
    public int replicationFactor() {
        return partitions.isEmpty() ? 0 : partitions.get(0).replicas().size();
    }

    /** @return whether every partition has a leader and all its replicas in sync */
    public boolean fullyReplicated() {
        return partitions.stream().allMatch(p -> p.leader() >= 0 && p.isr().size() == p.replicas().size());
    }

    @Override
    public String toString() {
        String header = String.format("Topic: %s\tTopicId: %s\tPartitionCount: %d\tReplicationFactor: %d\tConfigs: %s",
                name, topicId, partitions.size(), replicationFactor(),
                configs.entrySet().stream().sorted(Map.Entry.comparingByKey())
                        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(",")));
        return partitions.stream().map(p -> "\tTopic: " + name + "\t" + p)
                .collect(Collectors.joining("\n", header + "\n", ""));
    }

    /**
     * One partition.
     *
     * @param partition partition number
     * @param leader    id of the leader, or {@code -1} when the partition has none
     * @param replicas  ids of the replicas, preferred leader first
     * @param isr       ids of the in-sync replicas
     */
    public record Partition(int partition, int leader, List<Integer> replicas, List<Integer> isr) {

        /** Copies the lists. */
        public Partition {
            replicas = List.copyOf(replicas);
            isr = List.copyOf(isr);
        }

        @Override
        public String toString() {
            return String.format("Partition: %d\tLeader: %s\tReplicas: %s\tIsr: %s", partition,
                    leader < 0 ? "none" : String.valueOf(leader), join(replicas), join(isr));
        }

        private static String join(List<Integer> ids) {
            return ids.stream().map(String::valueOf).collect(Collectors.joining(","));
        }
    }
}
