package io.kafkalab.consumer;

import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.clients.producer.Producer;

/**
 * Decides what happens to a record the runner could not process: a poison pill (bytes the deserializer
 * refused) or a handler exception. Nothing is dropped silently: every decision is logged with partition
 * and offset, counted in {@link RunnerMetrics}, and reported to {@link ConsumerRunnerListener#onError}.
 *
 * <pre>{@code
 * ErrorPolicy policy = ErrorPolicy.retry(3, Duration.ofMillis(100), Duration.ofSeconds(1),
 *         ErrorPolicy.deadLetter(dltProducer));
 * }</pre>
 *
 * <p><b>Retries never block the loop.</b> A {@link ErrorDecision.Outcome#RETRY RETRY} holds only what must wait:
 * sequentially, the failed record's partition (it is sought back to the record and paused; the other partitions go
 * on; when the delay has passed the record is fetched again and its attempt count goes on); concurrently, the
 * record's key or partition lane. So the time a record spends in retries is bounded by the policy, not by
 * {@code max.poll.interval.ms}, and commits never pass the held record. A hold is forgotten when its partition is
 * revoked or lost, or the runner closes: the record is not committed and its next reader starts its attempts
 * again. (A runner that {@link ConsumerRunner.Builder#reassemble reassembles} segmented messages still waits a retry
 * in place.)
 *
 * <p>Called on the runner's thread (sequential) or a handler thread (concurrent: implementations must then be thread
 * safe); an implementation may block briefly (a dead-letter send), which holds that thread. {@code failure} is never
 * null and the decision must not be null (a null decision stops the runner).
 */
@FunctionalInterface
public interface ErrorPolicy {

    /**
     * @param failure what failed, with the raw bytes
     * @return the decision; an exception thrown here stops the runner
     */
    ErrorDecision onFailure(Failure failure);

    /** @return a policy that skips failed records: logged at WARN with partition and offset, and counted */
    static ErrorPolicy skip() {
        return failure -> ErrorDecision.skip();
    }

    /**
     * @return a policy that stops the runner; the failed record is not committed, so the next consumer of
     *     the partition starts at it
     */
    static ErrorPolicy stop() {
        return failure -> ErrorDecision.stop(failure.error());
    }

    /**
     * Retries handler failures with exponential backoff, then hands over. Deserialization failures go to
     * {@code then} at once: the same bytes fail the same way.
     *
     * @param maxAttempts    attempts in all, the first included; at least 1
     * @param initialBackoff wait before the first retry; doubles on each retry
     * @param maxBackoff     upper bound of the wait
     * @param then           the policy once the attempts are used up
     */
    static ErrorPolicy retry(int maxAttempts, Duration initialBackoff, Duration maxBackoff, ErrorPolicy then) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, but was " + maxAttempts);
        }
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(then, "then");
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("backoff must satisfy 0 <= initialBackoff <= maxBackoff, but was "
                    + initialBackoff + " and " + maxBackoff);
        }
        return failure -> {
            if (!failure.kind().retryable() || failure.attempt() >= maxAttempts) {
                return then.onFailure(failure);
            }
            long factor = 1L << Math.min(30, failure.attempt() - 1);
            Duration delay = initialBackoff.multipliedBy(factor);
            return ErrorDecision.retry(delay.compareTo(maxBackoff) > 0 ? maxBackoff : delay);
        };
    }

    /**
     * Publishes failed records to {@code <topic>.DLT} with {@link DeadLetterPolicy} defaults.
     *
     * @param producer a producer of raw bytes, owned by the caller (not closed by the runner)
     */
    static ErrorPolicy deadLetter(Producer<byte[], byte[]> producer) {
        return DeadLetterPolicy.builder(producer).build();
    }
}
