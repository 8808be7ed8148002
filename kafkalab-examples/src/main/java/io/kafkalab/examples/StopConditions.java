package io.kafkalab.examples;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * When a consumer app stops by itself: after {@code --max-messages} messages, or after {@code --idle-timeout}
 * without one. Calls {@code stop} once. Thread safe.
 */
final class StopConditions implements AutoCloseable {

    private final Long maxMessages;
    private final Runnable stop;
    private final AtomicLong seen = new AtomicLong();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final BlockingQueue<Boolean> activity = new LinkedBlockingQueue<>();
    private final Thread watcher;

    StopConditions(Long maxMessages, Duration idleTimeout, Runnable stop) {
        this.maxMessages = maxMessages;
        this.stop = stop;
        if (idleTimeout != null) {
            watcher = new Thread(() -> {
                try {
                    // each message offers a token; a wait that times out without one is the idle timeout
                    while (!stopped.get()) {
                        if (activity.poll(idleTimeout.toMillis(), TimeUnit.MILLISECONDS) == null) {
                            stopOnce();
                            return;
                        }
                        activity.clear();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "kafkalab-idle-timeout");
            watcher.setDaemon(true);
            watcher.start();
        } else {
            watcher = null;
        }
    }

    /** One more message; stops once the maximum is reached. */
    void seen(long count) {
        long total = seen.addAndGet(count);
        activity.offer(Boolean.TRUE);
        if (maxMessages != null && total >= maxMessages) {
            stopOnce();
        }
    }

    private void stopOnce() {
        if (stopped.compareAndSet(false, true)) {
            stop.run();
        }
    }

    @Override
    public void close() {
        stopped.set(true);
        if (watcher != null) {
            watcher.interrupt();
        }
    }
}
