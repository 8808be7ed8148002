package io.kafkalab.bench;

import io.kafkalab.consumer.CommitMode;
import io.kafkalab.consumer.CommitPolicy;
import io.kafkalab.consumer.ConsumerRunner;
import io.kafkalab.consumer.Ordering;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The kafkalab side of {@link ParallelBench}: a {@code ConsumerRunner} with the workload's ordering and
 * concurrency, committing after each poll asynchronously (parallel-consumer's default commits asynchronously too).
 */
final class KafkalabParallel {

    /** What the variant is, for the report (the ordering follows). */
    static final String NOTE = "ConsumerRunner, concurrency " + ParallelWorkload.CONCURRENCY
            + ", afterEachPoll ASYNC, Ordering.";

    private KafkalabParallel() {
    }

    static AutoCloseable start(Map<String, Object> config, String topic, ParallelWorkload workload, ParallelRun run) {
        ConsumerRunner<String, byte[]> runner = ConsumerRunner.builder(config, new StringDeserializer(),
                        new ByteArrayDeserializer())
                .topics(topic)
                .ordering(Ordering.valueOf(workload.ordering().name()))
                .concurrency(ParallelWorkload.CONCURRENCY)
                .commitPolicy(CommitPolicy.afterEachPoll())
                .commitMode(CommitMode.ASYNC)
                .name("bench-parallel")
                .records(r -> run.handle(r.key(), r.offset()));
        runner.start();
        return () -> runner.close(Duration.ofSeconds(30));
    }
}
