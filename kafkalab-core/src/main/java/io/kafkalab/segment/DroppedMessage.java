package io.kafkalab.segment;

import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * A message (or a lone invalid segment) the reassembler gave up on, with what it had received of it.
 *
 * @param messageId        the message id, or null when the headers did not yield one
 * @param partition        where its segments were
 * @param reason           why it was dropped
 * @param detail           a readable explanation, for example which segments were missing
 * @param firstOffset      offset of the first segment received
 * @param lastOffset       offset of the last segment received
 * @param receivedSegments segments received
 * @param segmentCount     segments the message claimed, or 0 when unknown
 * @param receivedBytes    payload bytes received
 * @param segments         the records received, for a dead-letter topic
 */
public record DroppedMessage(UUID messageId, TopicPartition partition, DropReason reason, String detail,
                             long firstOffset, long lastOffset, int receivedSegments, int segmentCount,
                             long receivedBytes, List<ConsumerRecord<byte[], byte[]>> segments) {

    /** @return one line for logs: id, partition, offsets, reason, detail */
    public String describe() {
        return "message " + messageId + " on " + partition + " offsets " + firstOffset + ".." + lastOffset + " "
                + reason + ": " + detail + " (" + receivedSegments + " of " + (segmentCount == 0 ? "?" : segmentCount)
                + " segments, " + receivedBytes + " bytes)";
    }
}
