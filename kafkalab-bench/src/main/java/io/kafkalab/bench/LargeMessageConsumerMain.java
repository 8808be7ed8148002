package io.kafkalab.bench;

import io.kafkalab.consumer.CommitPolicy;
import io.kafkalab.consumer.ConsumerRunner;
import io.kafkalab.segment.ReassemblyConfig;
import java.lang.management.ManagementFactory;
import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.zip.CRC32C;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The consuming side of the large-message comparison, in its own JVM so that its heap is its own: reads one
 * message of {@code size} bytes from the beginning of {@code topic}, checks its CRC32C and prints one line
 * {@code RESULT seconds=<first record to checked> peakHeap=<bytes> peakLive=<bytes>} (or {@code ERROR ...}).
 * <pre>LargeMessageConsumerMain bootstrap topic raw|segmented size crc</pre>
 * The peak heap is the most heap in use seen by a sampler every half millisecond (garbage not yet collected
 * included, so an upper bound of what was live; it cannot exceed {@code -Xmx}); the peak live heap is the most
 * heap in use after any garbage collection during the run (what was really retained).
 */
public final class LargeMessageConsumerMain {

    private LargeMessageConsumerMain() {
    }

    /**
     * @param args bootstrap servers, topic, {@code raw} or {@code segmented}, message size, expected CRC32C
     */
    public static void main(String[] args) {
        try {
            String bootstrap = args[0];
            String topic = args[1];
            boolean raw = args[2].equals("raw");
            int size = Integer.parseInt(args[3]);
            int crc = Integer.parseInt(args[4]);
            Map<String, Object> config = new HashMap<>();
            config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            config.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-large-" + UUID.randomUUID());
            config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            AtomicLong peakUsed = new AtomicLong();
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peakUsed.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                    LockSupport.parkNanos(500_000);
                }
            }, "heap-sampler");
            sampler.setDaemon(true);
            sampler.start();
            AtomicLong peakLive = new AtomicLong();
            // the notification covers every pool: count the heap's only (not metaspace, not the code cache)
            Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName)
                    .collect(Collectors.toSet());
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                ((NotificationEmitter) gc).addNotificationListener((n, h) -> {
                    if (n.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                        long after = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData())
                                .getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
                                .filter(e -> heapPools.contains(e.getKey()))
                                .mapToLong(e -> e.getValue().getUsed()).sum();
                        peakLive.accumulateAndGet(after, Math::max);
                    }
                }, null, null);
            }
            double seconds = raw ? raw(config, topic, size, crc) : segmented(config, topic, size);
            sampler.interrupt();
            long peak = peakUsed.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
            System.out.printf(java.util.Locale.ROOT, "RESULT seconds=%.6f peakHeap=%d peakLive=%d%n", seconds, peak,
                    peakLive.get());
        } catch (Throwable e) {
            System.out.println("ERROR " + e);
        }
        System.out.flush();
        System.exit(0);
    }

    private static double raw(Map<String, Object> config, String topic, int size, int expectedCrc) {
        CRC32C crc = new CRC32C();
        long received = 0;
        long first = 0;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            while (received < size) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(received + " of " + size + " bytes in 2 minutes");
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    if (first == 0) {
                        first = System.nanoTime();
                    }
                    crc.update(r.value());
                    received += r.value().length;
                }
            }
        }
        double seconds = (System.nanoTime() - first) / 1e9;
        if ((int) crc.getValue() != expectedCrc) {
            throw new IllegalStateException("CRC32C mismatch");
        }
        return seconds;
    }

    private static double segmented(Map<String, Object> config, String topic, int size)
            throws InterruptedException {
        long[] first = {0};
        CountDownLatch done = new CountDownLatch(1);
        long[] end = {0};
        ReassemblyConfig reassembly = ReassemblyConfig.custom().maxBufferedBytes(size + (1 << 20)).maxMessageBytes(size)
                .progress(p -> {
                    if (first[0] == 0) {
                        first[0] = System.nanoTime();
                    }
                }).build();
        try (ConsumerRunner<byte[], byte[]> runner = ConsumerRunner.builder(config, new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())
                .topics(topic).reassemble(reassembly).commitPolicy(CommitPolicy.afterEachRecord())
                .records(r -> {
                    // the reassembler checked the CRC32C of the whole message against the one the producer sent
                    if (r.value().length != size) {
                        throw new IllegalStateException(r.value().length + " bytes, expected " + size);
                    }
                    end[0] = System.nanoTime();
                    done.countDown();
                })) {
            runner.start();
            if (!done.await(2, TimeUnit.MINUTES)) {
                throw new IllegalStateException("no complete message in 2 minutes; " + runner.metrics()
                        + (runner.failure() != null ? "; failure " + runner.failure() : ""));
            }
        }
        return (end[0] - first[0]) / 1e9;
    }

    /** Parses a {@code RESULT k=v k=v} line. */
    static Map<String, String> parse(String line) {
        Map<String, String> result = new LinkedHashMap<>();
        for (String part : line.substring("RESULT ".length()).trim().split(" ")) {
            int eq = part.indexOf('=');
            result.put(part.substring(0, eq), part.substring(eq + 1));
        }
        return result;
    }
}
