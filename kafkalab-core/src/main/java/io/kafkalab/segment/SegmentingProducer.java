package io.kafkalab.segment;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Sends a large message as segments of at most {@code maxSegmentBytes}, on top of any
 * {@code Producer<K, byte[]>} (use {@code Producers.create(DeliveryGuarantee.AT_LEAST_ONCE, ...)}).
 *
 * <p>Every segment carries the message id, its index, the count, the total size and the CRC32C of the whole
 * message in record headers ({@link SegmentHeader}); the payload is the message's own bytes, nothing added.
 * All segments share the record key, hence the partition; with a null key the partition is chosen from the
 * message id. Inside a transaction ({@code DeliveryGuarantee.EXACTLY_ONCE}, between {@code beginTransaction}
 * and {@code commitTransaction}) all segments commit or abort together.
 *
 * <pre>{@code
 * SegmentingProducer<String> segmenting = new SegmentingProducer<>(producer, 100);
 * SegmentedSendResult sent = segmenting.sendText("topic", "user-1", longText).get();
 * }</pre>
 *
 * <p>Thread safe when the producer is (Kafka's is). Does not own the producer.
 *
 * @param <K> key type
 */
public final class SegmentingProducer<K> {

    /** Default largest segment: 512 KiB, well under Kafka's default 1 MiB record and request limits. */
    public static final int DEFAULT_MAX_SEGMENT_BYTES = 512 * 1024;

    private final Producer<K, byte[]> producer;
    private final int maxSegmentBytes;

    /**
     * @param producer the producer; not closed by this class
     */
    public SegmentingProducer(Producer<K, byte[]> producer) {
        this(producer, DEFAULT_MAX_SEGMENT_BYTES);
    }

    /**
     * @param producer        the producer; not closed by this class
     * @param maxSegmentBytes largest segment payload, at least 4
     */
    public SegmentingProducer(Producer<K, byte[]> producer, int maxSegmentBytes) {
        this.producer = Objects.requireNonNull(producer, "producer");
        if (maxSegmentBytes < 4) {
            throw new IllegalArgumentException("maxSegmentBytes must be >= 4, but was " + maxSegmentBytes);
        }
        this.maxSegmentBytes = maxSegmentBytes;
    }

    /** @return the largest segment payload */
    public int maxSegmentBytes() {
        return maxSegmentBytes;
    }

    /**
     * Sends bytes as segments cut at fixed positions.
     *
     * @param topic the topic
     * @param key   the record key of every segment; may be null
     * @param value the message
     * @return completes when every segment is acknowledged, or exceptionally with a
     *     {@link SegmentedSendException} once every segment has an outcome
     */
    public CompletableFuture<SegmentedSendResult> send(String topic, K key, byte[] value) {
        Objects.requireNonNull(value, "value");
        return send(topic, key, value, Segments.split(value, maxSegmentBytes));
    }

    /**
     * Sends text as UTF-8 segments cut between characters as a reader sees them (see
     * {@link Segments#splitUtf8(byte[], int)}), so each is readable on its own.
     *
     * @param topic the topic
     * @param key   the record key of every segment; may be null
     * @param text  the message
     * @return as {@link #send(String, Object, byte[])}
     */
    public CompletableFuture<SegmentedSendResult> sendText(String topic, K key, String text) {
        return sendText(topic, key, text, List.of(), UUID.randomUUID());
    }

    /**
     * Sends text as {@link #sendText(String, Object, String)} does, with headers of the caller's on every segment and
     * the message id the caller chose (so it can name the message before it is acknowledged, as an HTTP API answering
     * {@code 202 Accepted} does).
     *
     * @param topic     the topic
     * @param key       the record key of every segment; may be null
     * @param text      the message
     * @param headers   headers copied onto every segment, in order, after kafkalab's own; none may use a name of
     *                  {@link SegmentHeader}'s ({@code kafkalab.segment.*})
     * @param messageId the message id every segment carries; use a fresh one per message
     * @return as {@link #send(String, Object, byte[])}
     * @throws IllegalArgumentException when a header uses a {@code kafkalab.segment.} name
     */
    public CompletableFuture<SegmentedSendResult> sendText(String topic, K key, String text,
                                                           Iterable<? extends Header> headers, UUID messageId) {
        byte[] utf8 = Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8);
        for (Header h : Objects.requireNonNull(headers, "headers")) {
            if (h.key().startsWith(SegmentHeader.PREFIX)) {
                throw new IllegalArgumentException("header " + h.key() + " uses kafkalab's own prefix "
                        + SegmentHeader.PREFIX);
            }
        }
        return send(topic, key, utf8, Segments.splitUtf8(utf8, maxSegmentBytes), headers,
                Objects.requireNonNull(messageId, "messageId"));
    }

    private CompletableFuture<SegmentedSendResult> send(String topic, K key, byte[] whole, List<byte[]> segments) {
        return send(topic, key, whole, segments, List.of(), UUID.randomUUID());
    }

    private CompletableFuture<SegmentedSendResult> send(String topic, K key, byte[] whole, List<byte[]> segments,
                                                        Iterable<? extends Header> extra, UUID id) {
        Objects.requireNonNull(topic, "topic");
        int count = segments.size();
        int crc = Segments.crc32c(whole);
        Integer partition = null;
        CompletableFuture<SegmentedSendResult> result = new CompletableFuture<>();
        AtomicInteger outstanding = new AtomicInteger(count);
        AtomicInteger acknowledged = new AtomicInteger();
        AtomicReference<Throwable> firstError = new AtomicReference<>();
        RecordMetadata[] metadata = new RecordMetadata[count];
        Runnable finishOne = () -> {
            if (outstanding.decrementAndGet() == 0) {
                Throwable error = firstError.get();
                if (error != null) {
                    result.completeExceptionally(new SegmentedSendException(id, acknowledged.get(), count, error));
                } else {
                    result.complete(new SegmentedSendResult(id, topic, metadata[0].partition(), metadata[0].offset(),
                            metadata[count - 1].offset(), count, whole.length));
                }
            }
        };
        try {
            if (key == null) {
                // no key to hash: pin every segment to one partition chosen from the message id
                int partitions = producer.partitionsFor(topic).size();
                partition = Math.floorMod(id.hashCode(), partitions);
            }
        } catch (RuntimeException e) {
            result.completeExceptionally(new SegmentedSendException(id, 0, count, e));
            return result;
        }
        for (int i = 0; i < count; i++) {
            RecordHeaders headers = new RecordHeaders();
            new SegmentHeader(SegmentHeader.FORMAT_VERSION, id, i, count, whole.length, crc).writeTo(headers);
            extra.forEach(headers::add);
            int index = i;
            try {
                producer.send(new ProducerRecord<>(topic, partition, key, segments.get(i), headers), (m, e) -> {
                    if (e != null) {
                        firstError.compareAndSet(null, e);
                    } else {
                        metadata[index] = m;
                        acknowledged.incrementAndGet();
                    }
                    finishOne.run();
                });
            } catch (RuntimeException e) {
                // a synchronous failure: send no further segments; the ones sent finish on their own
                firstError.compareAndSet(null, e);
                for (int j = i; j < count; j++) {
                    finishOne.run();
                }
                break;
            }
        }
        return result;
    }
}
