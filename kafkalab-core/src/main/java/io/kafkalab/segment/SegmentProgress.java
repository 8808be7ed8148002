package io.kafkalab.segment;

import java.util.UUID;
import org.apache.kafka.common.TopicPartition;

/**
 * One more segment of a message arrived: the lab's "growing message" view.
 *
 * @param messageId     the message
 * @param partition     where it is
 * @param received      segments received so far
 * @param segmentCount  segments in the message
 * @param receivedBytes bytes received so far
 * @param totalSize     bytes in the message
 */
public record SegmentProgress(UUID messageId, TopicPartition partition, int received, int segmentCount,
                              long receivedBytes, long totalSize) {
}
