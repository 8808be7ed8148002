package io.kafkalab.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** Test set-up: a group's committed offsets made whole, so that its lag does not depend on which partitions it polled. */
final class GroupOffsets {

    private GroupOffsets() {
    }

    /**
     * Checks that the group committed exactly {@code expected} records of the topic in all, then commits offset 0 for
     * every partition it has no commit for (which partitions a consumer that stopped after a few records polled, and
     * so committed, depends on the fetch), so that its lag is every record not committed.
     */
    static void commitEveryPartition(KafkaCluster cluster, String group, String topic, int partitions, long expected) {
        Map<TopicPartition, Long> committed = KafkaTestUtils.committedOffsets(cluster, group);
        assertThat(committed.values().stream().mapToLong(Long::longValue).sum()).as("records committed by %s", group)
                .isEqualTo(expected);
        Map<TopicPartition, OffsetAndMetadata> missing = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            TopicPartition tp = new TopicPartition(topic, p);
            if (!committed.containsKey(tp)) {
                missing.put(tp, new OffsetAndMetadata(0));
            }
        }
        if (!missing.isEmpty()) {
            cluster.await(cluster.admin().alterConsumerGroupOffsets(group, missing).all(), "commit 0 for " + missing.keySet());
        }
    }
}
