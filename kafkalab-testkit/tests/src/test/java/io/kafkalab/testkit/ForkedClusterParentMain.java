package io.kafkalab.testkit;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Starts a forked cluster (1 broker, 1 controller), prints {@code pid <node> <pid>} for every node and then
 * {@code ready}, and waits for ever without closing it: ForkedKafkaClusterLifecycleIT runs it in a child JVM and
 * SIGKILLs that JVM, to see that no node outlives it. Argument: the log directory.
 */
public final class ForkedClusterParentMain {

    private ForkedClusterParentMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ForkedKafkaCluster cluster = ForkedKafkaCluster.builder().brokers(1).logDirectory(Path.of(args[0])).start();
        for (int id : cluster.nodeIds()) {
            System.out.println("pid " + id + " " + cluster.pid(id).orElseThrow());
        }
        System.out.println("ready");
        new CountDownLatch(1).await();
    }
}
