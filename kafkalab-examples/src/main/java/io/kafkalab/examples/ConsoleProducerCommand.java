package io.kafkalab.examples;

import io.kafkalab.producer.DeliveryGuarantee;
import io.kafkalab.producer.Producers;
import io.kafkalab.producer.SendSummary;
import io.kafkalab.producer.SendTracker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code kafkalab console-producer}: Kafka's kafka-console-producer.sh, the way the lab used it. */
@Command(name = "console-producer", mixinStandardHelpOptions = true,
        description = "Each line of stdin becomes a record (UTF-8), sent at least once. Ends at end of input "
                + "(Ctrl-D) and reports what was acknowledged on stderr.")
final class ConsoleProducerCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--key-separator",
            description = "Split each line at the first occurrence into key and value, for example ':'.")
    String keySeparator;

    @ParentCommand
    KafkaLab root;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        SendSummary summary;
        try (Producer<String, String> producer = Producers.create(DeliveryGuarantee.AT_LEAST_ONCE, kafka.config(),
                new StringSerializer(), new StringSerializer());
             BufferedReader in = new BufferedReader(new InputStreamReader(root.in, StandardCharsets.UTF_8))) {
            SendTracker tracker = new SendTracker();
            String line;
            while ((line = in.readLine()) != null) {
                String key = null;
                String value = line;
                if (keySeparator != null && !keySeparator.isEmpty()) {
                    int at = line.indexOf(keySeparator);
                    if (at >= 0) {
                        key = line.substring(0, at);
                        value = line.substring(at + keySeparator.length());
                    }
                }
                tracker.send(producer, new ProducerRecord<>(kafka.topic, key, value));
                if (ProduceCommand.refused(tracker.summary().firstError())) {
                    break; // every further line would be refused the same way: no point in reading on
                }
            }
            producer.flush();
            summary = tracker.await(Duration.ofSeconds(120));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (ProduceCommand.refused(summary.firstError())) {
            throw (RuntimeException) summary.firstError(); // one line, as every refused command
        }
        spec.commandLine().getErr().println("console-producer: " + summary);
        spec.commandLine().getErr().flush();
        return summary.allAcknowledged() ? 0 : 1;
    }
}
