package io.kafkalab.consumer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A concurrent runner (concurrency 64, KEY ordering, a commit after every collected completion) in a JVM of its
 * own, for a test that kills it with SIGKILL. Arguments: bootstrap servers, topic, group, the most milliseconds a
 * record's simulated work takes. Prints {@code s <partition> <offset>} when a handler starts a record and
 * {@code d <partition> <offset>} when it finishes one.
 */
public final class ChildConcurrentMain {

    private ChildConcurrentMain() {
    }

    public static void main(String[] args) {
        Map<String, Object> config = new java.util.HashMap<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0], ConsumerConfig.GROUP_ID_CONFIG, args[2],
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
        long maxWorkNanos = Duration.ofMillis(Long.parseLong(args[3])).toNanos();
        ConsumerRunner.builder(config, new StringDeserializer(), new StringDeserializer())
                .topics(args[1]).concurrency(64).ordering(Ordering.KEY).maxInFlight(256, 64 << 20)
                .commitPolicy(CommitPolicy.afterEachRecord())
                .records(r -> {
                    print("s " + r.partition() + " " + r.offset());
                    // simulated work, the same for a record in every run
                    LockSupport.parkNanos(Math.floorMod((r.offset() * 2_654_435_761L) ^ r.partition(), maxWorkNanos));
                    print("d " + r.partition() + " " + r.offset());
                }).closeOnShutdown().start();
    }

    private static void print(String line) {
        synchronized (System.out) {
            System.out.println(line);
            System.out.flush();
        }
    }
}
