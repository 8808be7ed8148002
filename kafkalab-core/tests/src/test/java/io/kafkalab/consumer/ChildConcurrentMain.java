package io.kafkalab.consumer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A concurrent runner (concurrency 64, KEY ordering, a commit after every collected completion) in a JVM of its
 * own, for a test that kills it with SIGKILL. Arguments: bootstrap servers, topic, group, the most milliseconds a
 * record's simulated work takes, and optionally {@code <partition>:<offset>}, a record whose handler never returns
 * (it holds that partition's commit below it while the records after it complete). Prints {@code s <partition> <offset>} when a handler starts a record and
 * {@code d <partition> <offset>} when it finishes one.
 */
public final class ChildConcurrentMain {

    private ChildConcurrentMain() {
    }

    public static void main(String[] args) {
        Map<String, Object> config = new java.util.HashMap<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0], ConsumerConfig.GROUP_ID_CONFIG, args[2],
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                // the broker's least (group.min.session.timeout.ms): a killed child's partitions go to the restarted
                // one after 6 s, not Kafka's default 45 s
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6000, ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1000));
        long maxWorkNanos = Duration.ofMillis(Long.parseLong(args[3])).toNanos();
        int holdPartition = args.length > 4 ? Integer.parseInt(args[4].split(":")[0]) : -1;
        long holdOffset = args.length > 4 ? Long.parseLong(args[4].split(":")[1]) : -1;
        ConsumerRunner.builder(config, new StringDeserializer(), new StringDeserializer())
                .topics(args[1]).concurrency(64).ordering(Ordering.KEY).maxInFlight(256, 64 << 20)
                .commitPolicy(CommitPolicy.afterEachRecord())
                .records(r -> {
                    print("s " + r.partition() + " " + r.offset());
                    while (r.partition() == holdPartition && r.offset() == holdOffset) {
                        LockSupport.park(); // held until the process is killed
                    }
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
