package io.kafkalab.testkit.internal;

import io.kafkalab.testkit.KafkaClusterException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.AuthorizationException;

/**
 * Bounded polling for conditions that Kafka exposes no event for (a broker in the ISR again, a topic's
 * leaders elected). Not part of the API.
 */
public final class Wait {

    private static final long POLL_MILLIS = 50;

    private Wait() {
    }

    /**
     * Polls {@code condition} until it holds or {@code timeout} passes.
     *
     * @param condition checked every 50 ms; an exception it throws counts as "not yet", except a refusal
     *                  by the authorizer (anywhere in its causes), which is thrown at once. (A failed login is
     *                  retried: SCRAM credentials may reach a broker a moment after it starts.)
     * @param timeout   the bound
     * @param what      describes the condition for the error message
     * @throws KafkaClusterException when the bound passes, naming {@code what} and the last failure seen
     */
    public static void until(BooleanSupplier condition, Duration timeout, Supplier<String> what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                if (refused(e)) {
                    throw e; // the cluster said no to this client: asking again cannot change that
                }
                last = e;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new KafkaClusterException("timed out after " + timeout.toMillis() + " ms waiting for "
                        + what.get(), last);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KafkaClusterException("interrupted while waiting for " + what.get(), e);
            }
        }
    }

    private static boolean refused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AuthorizationException) {
                return true;
            }
        }
        return false;
    }
}
