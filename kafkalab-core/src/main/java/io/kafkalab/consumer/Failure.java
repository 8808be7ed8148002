package io.kafkalab.consumer;

import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A failed record (or, for a batch handler that did not say which record failed, a failed batch), as the
 * {@link ErrorPolicy} sees it: the original bytes exactly as read from the topic, the error, and how many
 * times it has been tried.
 *
 * @param records the failed records as raw bytes, one or more, all of one partition in offset order
 * @param error   what went wrong
 * @param kind    deserialization or handler failure
 * @param attempt 1 for the first failure of these records, 2 after one retry, ...
 * @param groupId the runner's consumer group
 */
public record Failure(List<ConsumerRecord<byte[], byte[]>> records, Throwable error, FailureKind kind, int attempt,
                      String groupId) {

    /** Validates and copies. */
    public Failure {
        records = List.copyOf(records);
        if (records.isEmpty()) {
            throw new IllegalArgumentException("records must not be empty");
        }
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(kind, "kind");
    }

    /** @return the first failed record */
    public ConsumerRecord<byte[], byte[]> first() {
        return records.get(0);
    }

    /** @return {@code topic-partition@offset} of the first failed record, plus the count when several */
    public String where() {
        ConsumerRecord<byte[], byte[]> r = first();
        return r.topic() + "-" + r.partition() + "@" + r.offset()
                + (records.size() > 1 ? " (" + records.size() + " records)" : "");
    }
}
