package io.kafkalab.producer;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Follows a run of sends and says how it went: "100 sent, 100 acknowledged, 0 failed", with the first
 * error, and waits (boundedly) until every send has an outcome.
 *
 * <pre>{@code
 * SendTracker tracker = new SendTracker();
 * for (CustomMessage m : messages) {
 *     tracker.send(producer, new ProducerRecord<>("topic", m.key(), m));
 * }
 * SendSummary summary = tracker.await(Duration.ofSeconds(30));
 * }</pre>
 *
 * <p>Thread safe: any number of threads may send through one tracker; callbacks from the producer's I/O
 * thread update it.
 */
public final class SendTracker {

    private final Object lock = new Object();
    private long sent;
    private long acknowledged;
    private long failed;
    private Exception firstError;

    /**
     * Sends a record and tracks its outcome. A send that fails synchronously (a serializer error, a closed
     * producer) counts as sent and failed and comes back as a failed future, like an asynchronous failure.
     *
     * @param producer the producer
     * @param record   the record
     * @param <K>      key type
     * @param <V>      value type
     * @return completes with the record's metadata once acknowledged, or exceptionally
     */
    public <K, V> CompletableFuture<RecordMetadata> send(Producer<K, V> producer, ProducerRecord<K, V> record) {
        synchronized (lock) {
            sent++;
        }
        CompletableFuture<RecordMetadata> future = Producers.send(producer, record);
        future.whenComplete((metadata, error) -> complete(error));
        return future;
    }

    private void complete(Throwable error) {
        synchronized (lock) {
            if (error == null) {
                acknowledged++;
            } else {
                failed++;
                if (firstError == null) {
                    firstError = error instanceof Exception e ? e : new RuntimeException(error);
                }
            }
            if (acknowledged + failed == sent) {
                lock.notifyAll();
            }
        }
    }

    /** @return the counts now */
    public SendSummary summary() {
        synchronized (lock) {
            return new SendSummary(sent, acknowledged, failed, firstError);
        }
    }

    /**
     * Waits until every send so far is acknowledged or failed. Does not flush: with {@code linger.ms} set,
     * call {@link Producers#flush(Producer, Duration)} first or this waits for the linger.
     *
     * @param timeout the bound
     * @return the counts once nothing is pending
     * @throws ProducerTimeoutException when sends are still pending after {@code timeout}, saying how many
     */
    public SendSummary await(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (acknowledged + failed < sent) {
                long leftMillis = (deadline - System.nanoTime()) / 1_000_000;
                if (leftMillis <= 0) {
                    throw new ProducerTimeoutException((sent - acknowledged - failed) + " of " + sent
                            + " sends still pending after " + timeout.toMillis() + " ms ("
                            + new SendSummary(sent, acknowledged, failed, firstError) + ")");
                }
                try {
                    lock.wait(leftMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ProducerTimeoutException("interrupted while waiting for sends");
                }
            }
            return new SendSummary(sent, acknowledged, failed, firstError);
        }
    }
}
