package io.kafkalab.segment;

import io.kafkalab.consumer.CommitPolicy;
import io.kafkalab.consumer.ConsumerRunner;
import io.kafkalab.consumer.ConsumerRunnerListener;
import io.kafkalab.consumer.ErrorDecision;
import io.kafkalab.consumer.ErrorPolicy;
import io.kafkalab.consumer.Failure;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A reassembling consumer in a JVM of its own, so that its heap is its own ({@link ReassemblyHeapIT}): for each
 * message delivered it prints {@code delivered <length> <crc32c> live=<bytes>}, the heap in use after a full
 * collection (with the message still referenced), then exits 0 after {@code messages} of them. Run it with
 * {@code -XX:+ExitOnOutOfMemoryError}, so that running out of heap anywhere ends it with code 3.
 * Arguments: bootstrap servers, topic, group, maxBufferedBytes, messages.
 */
public final class ChildHeapMain {

    private ChildHeapMain() {
    }

    public static void main(String[] args) throws Exception {
        long begin = System.nanoTime();
        long maxBuffered = Long.parseLong(args[3]);
        int messages = Integer.parseInt(args[4]);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        CountDownLatch done = new CountDownLatch(messages);
        AtomicInteger dropped = new AtomicInteger();
        try (ConsumerRunner<String, byte[]> runner = ConsumerRunner.builder(Map.of("bootstrap.servers", args[0],
                                "group.id", args[2], "auto.offset.reset", "earliest"),
                        new StringDeserializer(), new ByteArrayDeserializer())
                .topics(args[1])
                .reassemble(ReassemblyConfig.custom().maxBufferedBytes(maxBuffered).build())
                .commitPolicy(CommitPolicy.afterEachPoll())
                .errorPolicy(ErrorPolicy.skip())
                .listener(new ConsumerRunnerListener() {
                    @Override
                    public void onError(Failure failure, ErrorDecision decision) {
                        dropped.incrementAndGet();
                    }
                })
                .records(r -> {
                    memory.gc();
                    System.out.println("delivered " + r.value().length + " " + Segments.crc32c(r.value()) + " live="
                            + memory.getHeapMemoryUsage().getUsed() + " dropped=" + dropped.get() + " ms="
                            + (System.nanoTime() - begin) / 1_000_000);
                    System.out.flush();
                    done.countDown();
                })
                .start()) {
            if (!done.await(2, TimeUnit.MINUTES)) {
                System.out.println("ERROR " + done.getCount() + " messages missing; " + runner.metrics());
            }
            runner.close(Duration.ofSeconds(10));
        }
        System.out.println("closed ms=" + (System.nanoTime() - begin) / 1_000_000);
        System.out.flush();
        System.exit(done.getCount() == 0 ? 0 : 1);
    }
}
