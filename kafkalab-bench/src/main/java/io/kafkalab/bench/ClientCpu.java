package io.kafkalab.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;

/**
 * CPU time spent by one producer client: the calling thread plus the producer's I/O thread
 * ({@code kafka-producer-network-thread | <client.id>}). Unlike wall-clock throughput, it does not move with what
 * the brokers and the other core are doing, so it shows what a wrapper adds per record.
 */
final class ClientCpu {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final String networkThread;
    private final long startCaller;
    private final long startNetwork;

    private ClientCpu(String clientId) {
        this.networkThread = "kafka-producer-network-thread | " + clientId;
        this.startCaller = THREADS.getCurrentThreadCpuTime();
        this.startNetwork = network();
    }

    /** Starts counting on the calling thread, after the producer with {@code clientId} was created. */
    static ClientCpu start(String clientId) {
        return new ClientCpu(clientId);
    }

    /** @return CPU nanoseconds since {@link #start}; call on the same thread, before the producer closes */
    long nanos() {
        return THREADS.getCurrentThreadCpuTime() - startCaller + network() - startNetwork;
    }

    private long network() {
        for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t != null && t.getThreadName().equals(networkThread)) {
                return THREADS.getThreadCpuTime(t.getThreadId());
            }
        }
        throw new IllegalStateException("no thread " + networkThread);
    }
}
