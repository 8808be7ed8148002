package io.kafkalab.segment;

import java.util.UUID;

/**
 * A message sent as segments, every one acknowledged.
 *
 * @param messageId    the message id in the segments' headers
 * @param topic        the topic
 * @param partition    the partition all segments went to
 * @param firstOffset  offset of the first segment
 * @param lastOffset   offset of the last segment
 * @param segmentCount number of segments
 * @param totalSize    bytes in the message
 */
public record SegmentedSendResult(UUID messageId, String topic, int partition, long firstOffset, long lastOffset,
                                  int segmentCount, long totalSize) {
}
