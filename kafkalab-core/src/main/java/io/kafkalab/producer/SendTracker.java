package io.kafkalab.producer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Callback;
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

    // The counters are atomic so that the producer's I/O thread never takes a lock per acknowledgement, and 128
    // bytes apart in one array so that the sending thread (sent) and the I/O thread (acknowledged, failed) never
    // write the same cache line: as separate AtomicLongs, side by side on the heap, they cost the producer ~20% of
    // its throughput on 2 cores (kafkalab-bench). The I/O thread reads `sent` only while somebody waits.
    private static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int SENT = 16;
    private static final int ACKNOWLEDGED = 32;
    private static final int FAILED = 48;
    private final long[] counts = new long[64];
    private volatile int waiters;
    private final AtomicReference<Exception> firstError = new AtomicReference<>();
    private final Object lock = new Object();
    private final Callback outcome = this::onOutcome;

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
        Objects.requireNonNull(producer, "producer");
        Objects.requireNonNull(record, "record");
        COUNT.getAndAdd(counts, SENT, 1L);
        // counted before the future completes, so a caller joining the future sees the counts include it
        return Producers.send(producer, record, outcome);
    }

    /** Counts an outcome; one instance for every send, so that a send allocates nothing more for it. */
    private void onOutcome(RecordMetadata metadata, Exception error) {
        if (error == null) {
            COUNT.getAndAdd(counts, ACKNOWLEDGED, 1L);
        } else {
            COUNT.getAndAdd(counts, FAILED, 1L);
            firstError.compareAndSet(null, error);
        }
        if (waiters > 0) {
            completed();
        }
    }

    private void completed() {
        if (count(ACKNOWLEDGED) + count(FAILED) >= count(SENT)) {
            synchronized (lock) {
                lock.notifyAll();
            }
        }
    }

    /** @return the counts now */
    public SendSummary summary() {
        // read the outcomes before the sends, so that pending is never negative
        long a = count(ACKNOWLEDGED);
        long f = count(FAILED);
        return new SendSummary(Math.max(count(SENT), a + f), a, f, firstError.get());
    }

    private long count(int index) {
        return (long) COUNT.getVolatile(counts, index);
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
            // announced before reading the counts: an acknowledgement after this read sees it and wakes us
            waiters++;
            try {
                return awaitLocked(timeout, deadline);
            } finally {
                waiters--;
            }
        }
    }

    /** Called holding {@code lock}. */
    private SendSummary awaitLocked(Duration timeout, long deadline) {
        while (true) {
            SendSummary now = summary();
            if (now.pending() <= 0) {
                return now;
            }
            long leftMillis = (deadline - System.nanoTime()) / 1_000_000;
            if (leftMillis <= 0) {
                throw new ProducerTimeoutException(now.pending() + " of " + now.sent()
                        + " sends still pending after " + timeout.toMillis() + " ms (" + now + ")");
            }
            try {
                lock.wait(leftMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProducerTimeoutException("interrupted while waiting for sends");
            }
        }
    }
}
