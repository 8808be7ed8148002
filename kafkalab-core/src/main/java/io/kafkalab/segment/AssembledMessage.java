package io.kafkalab.segment;

import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;

/**
 * A complete message, its CRC32C checked: the bytes of every segment in order. A record without segment
 * headers passes through as a one-segment message with a null {@code messageId}.
 *
 * @param messageId    the message id, or null for a plain record
 * @param partition    where its segments were
 * @param key          the record key (of the first segment); may be null
 * @param value        the whole message
 * @param headers      the first segment's headers
 * @param firstOffset  offset of the first segment read
 * @param lastOffset   offset of the segment that completed it
 * @param segmentCount number of segments
 * @param timestamp    timestamp of the first segment
 * @param segments     the segment records, in index order (for a dead-letter topic)
 */
public record AssembledMessage(UUID messageId, TopicPartition partition, byte[] key, byte[] value, Headers headers,
                               long firstOffset, long lastOffset, int segmentCount, long timestamp,
                               List<ConsumerRecord<byte[], byte[]>> segments) {
}
