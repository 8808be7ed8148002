/**
 * Share groups (KIP-932, "queues for Kafka"): {@link io.kafkalab.consumer.share.ShareConsumerRunner} runs a
 * {@code KafkaShareConsumer} loop with the consumer runner's {@link io.kafkalab.consumer.RecordHandler} and
 * {@link io.kafkalab.consumer.ErrorPolicy}, acknowledging each record explicitly: a handled record is accepted, a
 * retry is released (the broker delivers it again, with a higher delivery count), a record given up on is rejected.
 * Members of a share group may read the same partition at once; the broker hands each record to one member at a
 * time. {@link io.kafkalab.consumer.share.ShareGroups} sets the group configurations a share group reads (where a new
 * group starts). The implementation lives in {@code io.kafkalab.consumer.share.internal}.
 *
 * <p>Parameters and return values are non-null unless their Javadoc says otherwise.
 */
package io.kafkalab.consumer.share;
