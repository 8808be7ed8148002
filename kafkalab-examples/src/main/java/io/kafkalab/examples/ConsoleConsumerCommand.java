package io.kafkalab.examples;

import io.kafkalab.consumer.CommitPolicy;
import io.kafkalab.consumer.ConsumerRunner;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kafkalab console-consumer}: Kafka's kafka-console-consumer.sh, the way the lab used it. */
@Command(name = "console-consumer", mixinStandardHelpOptions = true,
        description = "Prints each record's value (UTF-8) on a line. Without --from-beginning it starts at the end"
                + " of the topic, as Kafka's console consumer does: --from-beginning means auto.offset.reset=earliest.")
final class ConsoleConsumerCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--from-beginning", description = "Read what was sent before this consumer started.")
    boolean fromBeginning;

    @Option(names = "--group", description = "Consumer group (default: a new console-consumer-<random> group).")
    String group;

    @Option(names = "--max-messages", description = "Exit after exactly this many records (handled and committed).")
    Long maxMessages;

    @Option(names = "--timeout-ms", description = "Exit when no record came for this many milliseconds.")
    Long timeoutMs;

    @Option(names = "--print-key", description = "Print key<TAB>value.")
    boolean printKey;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Object> config = kafka.consumerConfig(group != null ? group
                : "console-consumer-" + UUID.randomUUID().toString().substring(0, 8), fromBeginning);
        AtomicLong count = new AtomicLong();
        ConsumerRunner<String, String>[] runner = new ConsumerRunner[1];
        StopConditions stop = new StopConditions(timeoutMs == null ? null : Duration.ofMillis(timeoutMs),
                () -> runner[0].close(Duration.ZERO));
        ConsumerRunner.Builder<String, String> builder = ConsumerRunner.builder(config, new StringDeserializer(),
                        new StringDeserializer())
                .topics(kafka.topic).name("console-consumer").commitPolicy(CommitPolicy.afterEachPoll());
        if (maxMessages != null) {
            builder.maxRecords(maxMessages);
        }
        runner[0] = builder
                .records(r -> {
                    out.println(printKey ? r.key() + "\t" + r.value() : r.value());
                    out.flush();
                    count.incrementAndGet();
                    stop.seen();
                });
        return ConsumerApp.run(runner[0], stop, kafka, spec.commandLine().getErr(), () -> {
            spec.commandLine().getErr().println("Processed a total of " + count.get() + " messages");
            spec.commandLine().getErr().flush();
        });
    }
}
