package io.kafkalab.examples;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * When a consumer app stops by itself after {@code --idle-timeout} without a message. Calls {@code stop} once.
 * ({@code --max-messages} is the runner's own {@code maxRecords}.) Thread safe.
 */
final class StopConditions implements AutoCloseable {

    private final Runnable stop;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final BlockingQueue<Boolean> activity = new LinkedBlockingQueue<>();
    private final Thread watcher;

    StopConditions(Duration idleTimeout, Runnable stop) {
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

    /** A message came: the idle timeout starts again. */
    void seen() {
        activity.offer(Boolean.TRUE);
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
