package io.kafkalab.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;

/**
 * CPU time spent, and heap allocated, by one producer client: the calling thread plus the producer's I/O thread
 * ({@code kafka-producer-network-thread | <client.id>}). Unlike wall-clock throughput, neither moves with what
 * the brokers and the other core are doing, so they show what a wrapper adds per record: the allocation to the
 * byte (HotSpot counts each thread's allocations exactly, TLAB refills aside), the CPU time within a few percent.
 */
final class ClientCpu {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** The producer's I/O thread, found once: it lives until the producer closes. */
    private final long networkThread;
    private final long startCaller;
    private final long startNetwork;
    private final long startCallerBytes;
    private final long startNetworkBytes;

    private ClientCpu(String clientId) {
        this.networkThread = threadId("kafka-producer-network-thread | " + clientId);
        this.startCaller = THREADS.getCurrentThreadCpuTime();
        this.startCallerBytes = THREADS.getCurrentThreadAllocatedBytes();
        this.startNetwork = THREADS.getThreadCpuTime(networkThread);
        this.startNetworkBytes = THREADS.getThreadAllocatedBytes(networkThread);
    }

    /** Starts counting on the calling thread, after the producer with {@code clientId} was created. */
    static ClientCpu start(String clientId) {
        return new ClientCpu(clientId);
    }

    /** @return CPU nanoseconds since {@link #start}; call on the same thread, before the producer closes */
    long nanos() {
        return THREADS.getCurrentThreadCpuTime() - startCaller
                + alive(THREADS.getThreadCpuTime(networkThread)) - startNetwork;
    }

    /** @return heap bytes allocated since {@link #start}; call on the same thread, before the producer closes */
    long allocatedBytes() {
        return THREADS.getCurrentThreadAllocatedBytes() - startCallerBytes
                + alive(THREADS.getThreadAllocatedBytes(networkThread)) - startNetworkBytes;
    }

    /** The JVM answers -1 for a thread that has ended: the producer closed before it was measured. */
    private static long alive(long value) {
        if (value < 0) {
            throw new IllegalStateException("the producer's I/O thread ended before it was measured");
        }
        return value;
    }

    private static long threadId(String name) {
        for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t != null && t.getThreadName().equals(name)) {
                return t.getThreadId();
            }
        }
        throw new IllegalStateException("no thread " + name);
    }
}
