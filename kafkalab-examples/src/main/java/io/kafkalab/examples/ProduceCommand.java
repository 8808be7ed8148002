package io.kafkalab.examples;

import io.kafkalab.message.CustomMessage;
import io.kafkalab.producer.DeliveryGuarantee;
import io.kafkalab.producer.Producers;
import io.kafkalab.producer.SendSummary;
import io.kafkalab.producer.SendTracker;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The lab's Producer: CustomMessages keyed by user id, at least once. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = "The lab's producer: sends CustomMessages {\"key\": user id 0-9, \"value\": text} keyed by "
                + "user id, with the AT_LEAST_ONCE preset, and reports what was acknowledged.")
final class ProduceCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--count", defaultValue = "100", description = "Messages to send (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--quiet", description = "Do not print a line per message.")
    boolean quiet;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Map<Integer, Integer> perPartition = new TreeMap<>();
        SendSummary summary;
        try (Producer<String, CustomMessage> producer = Producers.create(DeliveryGuarantee.AT_LEAST_ONCE,
                kafka.config(), new StringSerializer(), CustomMessage.serde().serializer())) {
            SendTracker tracker = new SendTracker();
            for (int i = 0; i < count && !refused(tracker.summary().firstError()); i++) {
                String user = String.valueOf(i % 10);
                CustomMessage m = new CustomMessage(user, "message " + i + " from user " + user);
                tracker.send(producer, new ProducerRecord<>(kafka.topic, user, m)).whenComplete((meta, e) -> {
                    if (meta != null) {
                        synchronized (perPartition) {
                            perPartition.merge(meta.partition(), 1, Integer::sum);
                        }
                        if (!quiet) {
                            synchronized (out) {
                                out.printf("sent key=%s partition=%d offset=%d %s%n", m.key(), meta.partition(),
                                        meta.offset(), m.value());
                            }
                        }
                    }
                });
            }
            producer.flush();
            summary = tracker.await(Duration.ofSeconds(120));
        }
        if (refused(summary.firstError())) {
            // no point in sending the rest: every send would fail the same way
            throw (RuntimeException) summary.firstError();
        }
        out.printf("produced %d to %s at %s: %s; per partition %s%n", count, kafka.topic, kafka.bootstrapServers,
                summary, perPartition);
        out.flush();
        return summary.allAcknowledged() ? 0 : 1;
    }

    /** Whether the cluster refused this client (credentials, certificate, ACLs): an error retrying cannot fix. */
    static boolean refused(Exception e) {
        return e instanceof AuthenticationException || e instanceof AuthorizationException
                || e instanceof io.kafkalab.NotAuthorizedException;
    }
}
