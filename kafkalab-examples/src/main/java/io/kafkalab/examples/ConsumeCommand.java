package io.kafkalab.examples;

import io.kafkalab.consumer.CommitPolicy;
import io.kafkalab.consumer.Ordering;
import io.kafkalab.consumer.ConsumerRunner;
import io.kafkalab.consumer.ConsumerRunnerListener;
import io.kafkalab.message.CustomMessage;
import io.kafkalab.message.CustomMessageDeserializer;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The lab's SingleMessageConsumer and BatchMessageConsumer. */
abstract class ConsumeCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Mixin
    StopOptions stopOptions;

    @Spec
    CommandSpec spec;

    final Set<Integer> partitions = new TreeSet<>();
    final Set<String> users = new TreeSet<>();
    long consumed;
    /** When the first and the last message were handled (System.nanoTime), for the summary. */
    long firstAt;
    long lastAt;

    abstract String group();

    abstract String label();

    abstract ConsumerRunner<String, CustomMessage> build(ConsumerRunner.Builder<String, CustomMessage> builder,
                                                         StopConditions stop, PrintWriter out);

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Object> config = kafka.consumerConfig(group(), true);
        ConsumerRunner<String, CustomMessage>[] runner = new ConsumerRunner[1];
        StopConditions stop = stopOptions.conditions(() -> runner[0].close(Duration.ZERO));
        ConsumerRunner.Builder<String, CustomMessage> builder = stopOptions.limit(ConsumerRunner
                .builder(config, new StringDeserializer(), new CustomMessageDeserializer()))
                .topics(kafka.topic)
                .name(label())
                .listener(new ConsumerRunnerListener() {
                    @Override
                    public void onAssigned(Collection<TopicPartition> assigned) {
                        out.println(label() + " assigned " + assigned);
                        out.flush();
                    }

                    @Override
                    public void onCommitted(Map<TopicPartition, OffsetAndMetadata> offsets) {
                        offsets.forEach((tp, o) -> out.println(label() + " committed " + tp + " offset " + o.offset()));
                        out.flush();
                    }
                });
        runner[0] = build(builder, stop, out);
        out.printf("%s consuming %s at %s as group %s%n", label(), kafka.topic, kafka.bootstrapServers, group());
        out.flush();
        return ConsumerApp.run(runner[0], stop, kafka, spec.commandLine().getErr(), () -> {
            synchronized (this) {
                out.printf("%s consumed %d messages from partitions %s, users %s%n", label(), consumed, partitions,
                        users);
                printSummary(out, firstAt == 0 ? 0 : lastAt - firstAt);
            }
            out.flush();
        });
    }

    /** More to say after the total; nothing by default. */
    void printSummary(PrintWriter out, long elapsedNanos) {
    }

    /** Prints a record; handlers of a concurrent consumer call it from several threads. */
    synchronized void print(PrintWriter out, ConsumerRecord<String, CustomMessage> r) {
        lastAt = System.nanoTime();
        if (consumed++ == 0) {
            firstAt = lastAt;
        }
        partitions.add(r.partition());
        users.add(r.value().key());
        out.printf("%s partition=%d offset=%d key=%s value=%s%n", label(), r.partition(), r.offset(), r.key(),
                r.value().value());
        out.flush();
    }

    /** {@code consume-single}. */
    @Command(name = "consume-single", mixinStandardHelpOptions = true,
            description = "The lab's single-message consumer: handles one message at a time; Kafka auto-commits "
                    + "(every 5 s and on exit), as in the lab. Runs until Ctrl-C, --max-messages or --idle-timeout.")
    static final class Single extends ConsumeCommand {
        @Option(names = "--group", defaultValue = "single-group", description = "Consumer group (default: ${DEFAULT-VALUE}).")
        String group;

        @Option(names = "--concurrency", defaultValue = "1",
                description = "Handle up to N messages at once on a pool (default: ${DEFAULT-VALUE}, one at a time). "
                        + "Above 1 the consumer commits after each poll instead of Kafka's auto-commit.")
        int concurrency;

        @Option(names = "--ordering", defaultValue = "key",
                description = "With --concurrency: partition, key (one user's messages in order, users in parallel)"
                        + " or unordered (default: ${DEFAULT-VALUE}).")
        String ordering;

        @Option(names = "--handler-delay", converter = DurationConverter.class,
                description = "Simulated slow work per message, for example 100ms.")
        Duration handlerDelay;

        /** Per partition and user, the last offset handled, to show that one user's messages kept their order. */
        private final Map<String, Long> lastOffset = new java.util.HashMap<>();
        private long outOfOrder;

        @Override
        String group() {
            return group;
        }

        @Override
        String label() {
            return "single-consumer";
        }

        @Override
        ConsumerRunner<String, CustomMessage> build(ConsumerRunner.Builder<String, CustomMessage> builder,
                                                    StopConditions stop, PrintWriter out) {
            if (concurrency > 1) {
                builder.concurrency(concurrency).ordering(ordering(ordering))
                        .commitPolicy(CommitPolicy.afterEachPoll()); // Kafka's auto-commit would pass records in flight
            } else {
                builder.commitPolicy(CommitPolicy.kafkaAutoCommit(Duration.ofSeconds(5)));
            }
            return builder.records(r -> {
                if (handlerDelay != null) {
                    Thread.sleep(handlerDelay.toMillis()); // simulated slow work
                }
                print(out, r);
                synchronized (this) {
                    Long before = lastOffset.put(r.partition() + "/" + r.value().key(), r.offset());
                    outOfOrder += before != null && before > r.offset() ? 1 : 0;
                }
                stop.seen();
            });
        }

        @Override
        void printSummary(PrintWriter out, long elapsedNanos) {
            out.printf("%s handled them in %.1f s from the first to the last (concurrency %d%s); per-user order %s%n",
                    label(),
                    elapsedNanos / 1e9, concurrency, concurrency > 1 ? ", ordering " + ordering : "",
                    outOfOrder == 0 ? "kept" : "broken " + outOfOrder + " times");
        }

        private Ordering ordering(String name) {
            try {
                return Ordering.valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--ordering must be partition, key or unordered, but was " + name);
            }
        }
    }

    /** {@code consume-batch}. */
    @Command(name = "consume-batch", mixinStandardHelpOptions = true,
            description = "The lab's batch consumer: handles batches and commits by hand every --commit-every "
                    + "messages. Runs until Ctrl-C, --max-messages or --idle-timeout.")
    static final class Batch extends ConsumeCommand {
        @Option(names = "--group", defaultValue = "batch-group", description = "Consumer group (default: ${DEFAULT-VALUE}).")
        String group;

        @Option(names = "--commit-every", defaultValue = "10",
                description = "Commit every N messages; also the batch size (default: ${DEFAULT-VALUE}).")
        int commitEvery;

        @Override
        String group() {
            return group;
        }

        @Override
        String label() {
            return "batch-consumer";
        }

        @Override
        ConsumerRunner<String, CustomMessage> build(ConsumerRunner.Builder<String, CustomMessage> builder,
                                                    StopConditions stop, PrintWriter out) {
            return builder.commitPolicy(CommitPolicy.everyRecords(commitEvery)).batches(commitEvery, batch -> {
                out.printf("%s batch of %d from partition %d%n", label(), batch.size(), batch.get(0).partition());
                // every record handed over is handled (it will be committed); the runner cuts the last batch at
                // --max-messages
                for (ConsumerRecord<String, CustomMessage> r : batch) {
                    print(out, r);
                }
                stop.seen();
            });
        }
    }
}
