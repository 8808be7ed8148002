package io.kafkalab.consumer.internal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import io.kafkalab.consumer.RecordProcessingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every part of the engine asks: may work go on (the run state, a stop decided by the error policy, the
 * record limit), and how to wait for a retry without outliving a close. Thread safe.
 */
public final class Control {

    private static final Logger LOG = LoggerFactory.getLogger(Control.class);

    private final String name;
    private final RunState runState = new RunState();
    private final AtomicReference<RecordProcessingException> stopCause = new AtomicReference<>();
    private final CountDownLatch closeSignal = new CountDownLatch(1);
    /** Records (reassembled messages count once) that may still be handed out; Long.MAX_VALUE: no limit. */
    private final AtomicLong remaining;

    /** @param limit records to hand out at most, or Long.MAX_VALUE */
    public Control(String name, long limit) {
        this.name = name;
        this.remaining = new AtomicLong(limit);
    }

    /** @return the run state */
    public RunState runState() {
        return runState;
    }

    /** @return whether work goes on: running, not stopped by the policy */
    boolean go() {
        return runState.running() && stopCause.get() == null;
    }

    /** Asks to close. */
    public void requestClose() {
        runState.requestClose();
        closeSignal.countDown();
    }

    /** @return the policy's stop, or null */
    public RecordProcessingException stopCause() {
        return stopCause.get();
    }

    /** Records the first stop. @return whether this was the first */
    boolean stop(RecordProcessingException cause) {
        boolean first = stopCause.compareAndSet(null, cause);
        closeSignal.countDown();
        return first;
    }

    /** Takes one record from the limit. @return false when the limit is reached */
    boolean take() {
        if (remaining.get() == Long.MAX_VALUE) {
            return true;
        }
        return remaining.getAndUpdate(r -> r > 0 ? r - 1 : 0) > 0;
    }

    /** Takes {@code n} records from the limit, all or none. @return whether it could */
    boolean take(long n) {
        if (remaining.get() == Long.MAX_VALUE) {
            return true;
        }
        while (true) {
            long r = remaining.get();
            if (r < n) {
                return false;
            }
            if (remaining.compareAndSet(r, r - n)) {
                return true;
            }
        }
    }

    /** Gives back {@code n} records taken but not done (held for a retry: they are taken again when re-fetched). */
    void giveBack(long n) {
        if (remaining.get() != Long.MAX_VALUE) {
            remaining.addAndGet(n);
        }
    }

    /** @return how many more may be handed out at most (Long.MAX_VALUE: no limit) */
    long remaining() {
        return remaining.get();
    }

    /** @return whether a limit was set and every record of it was handed out */
    public boolean limitReached() {
        return remaining.get() == 0;
    }

    /** Waits for a retry's delay. @return false when closed or stopped meanwhile */
    boolean sleep(java.time.Duration delay) {
        try {
            return !closeSignal.await(delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs a listener callback; its failure is logged, never propagated. */
    public void notifyListener(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("{}: listener failed", name, e);
        }
    }
}
