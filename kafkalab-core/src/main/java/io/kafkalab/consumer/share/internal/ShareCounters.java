package io.kafkalab.consumer.share.internal;

import io.kafkalab.consumer.share.ShareRunnerMetrics;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.AcknowledgeType;

/** The share runner's counters: written on the loop's thread, read from any thread. */
public final class ShareCounters {

    final AtomicLong accepted = new AtomicLong();
    final AtomicLong released = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicLong deadLettered = new AtomicLong();
    final AtomicLong failures = new AtomicLong();
    final AtomicLong deserializationFailures = new AtomicLong();
    final AtomicLong commits = new AtomicLong();
    final AtomicLong commitFailures = new AtomicLong();
    final AtomicLong stopped = new AtomicLong();
    final AtomicLong denied = new AtomicLong();

    /** Counts a stop because the cluster refused the runner its topic or group. */
    public void denied() {
        denied.incrementAndGet();
    }

    void acknowledged(AcknowledgeType type) {
        switch (type) {
            case ACCEPT -> accepted.incrementAndGet();
            case RELEASE -> released.incrementAndGet();
            case REJECT -> rejected.incrementAndGet();
            default -> throw new IllegalArgumentException("the runner does not acknowledge " + type);
        }
    }

    /** @return a snapshot */
    public ShareRunnerMetrics snapshot() {
        return new ShareRunnerMetrics(accepted.get(), released.get(), rejected.get(), deadLettered.get(),
                failures.get(), deserializationFailures.get(), commits.get(), commitFailures.get(), stopped.get(),
                denied.get());
    }
}
