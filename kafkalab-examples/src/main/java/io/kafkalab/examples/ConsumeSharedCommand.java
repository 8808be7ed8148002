package io.kafkalab.examples;

import io.kafkalab.consumer.ErrorDecision;
import io.kafkalab.consumer.ErrorPolicy;
import io.kafkalab.consumer.Failure;
import io.kafkalab.consumer.share.ShareConsumerRunner;
import io.kafkalab.consumer.share.ShareConsumerRunnerListener;
import io.kafkalab.consumer.share.ShareGroups;
import io.kafkalab.consumer.share.ShareRunnerMetrics;
import io.kafkalab.message.CustomMessage;
import io.kafkalab.message.CustomMessageDeserializer;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code consume-shared}: a member of a share group (KIP-932) on the lab's topic. Start several with the same
 * {@code --group}: they read the same partitions at once, and each message goes to one of them.
 */
@Command(name = "consume-shared", mixinStandardHelpOptions = true,
        description = {"A share-group consumer (KIP-932, queues for Kafka): members of one --group read the same "
                + "partitions at once and the broker hands each message to one of them; each message is "
                + "acknowledged: ACCEPT when handled, RELEASE to retry (delivered again, delivery count + 1), REJECT "
                + "when given up on. Runs until Ctrl-C, --max-messages or --idle-timeout.",
            "A new group starts at --start (the group config share.auto.offset.reset, set before joining)."})
final class ConsumeSharedCommand implements Callable<Integer> {

    private static final String LABEL = "share-consumer";

    @Mixin
    KafkaOptions kafka;

    @Mixin
    StopOptions stopOptions;

    @Spec
    CommandSpec spec;

    @Option(names = "--group", defaultValue = "share-group", description = "Share group (default: ${DEFAULT-VALUE}).")
    String group;

    @Option(names = "--start", defaultValue = "earliest",
            description = "Where the group starts when it has no position yet: earliest or latest (default: "
                    + "${DEFAULT-VALUE}). Changes the group's share.auto.offset.reset.")
    String start;

    @Option(names = "--fail-deliveries", defaultValue = "0",
            description = "Simulated failure: the handler fails each message's first N deliveries, so it is "
                    + "released and delivered again (default: ${DEFAULT-VALUE}). With N >= --attempts it is rejected.")
    int failDeliveries;

    @Option(names = "--attempts", defaultValue = "3",
            description = "Deliveries per message before it is rejected (default: ${DEFAULT-VALUE}).")
    int attempts;

    private final Set<Integer> partitions = new TreeSet<>();
    private final Set<String> users = new TreeSet<>();
    private long consumed;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (attempts < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--attempts must be >= 1, but was "
                    + attempts);
        }
        Map<String, Object> config = kafka.config();
        try (Admin admin = Admin.create(kafka.config())) {
            ShareGroups.autoOffsetReset(admin, group, start, Duration.ofSeconds(30));
        } catch (io.kafkalab.NotAuthorizedException e) {
            // a user who may read the group need not be allowed to configure it: consume anyway, and say so
            java.io.PrintWriter err = spec.commandLine().getErr();
            err.println("kafkalab consume-shared: note: --start " + start + " not applied (" + e.getMessage()
                    + "); the group starts where its configuration says (share.auto.offset.reset, latest unless set)");
            err.flush();
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--start: " + e.getMessage());
        }
        config.put("group.id", group);
        ShareConsumerRunner<String, CustomMessage>[] runner = new ShareConsumerRunner[1];
        StopConditions stop = stopOptions.conditions(() -> runner[0].close(Duration.ZERO));
        ShareConsumerRunner.Builder<String, CustomMessage> builder = ShareConsumerRunner
                .builder(config, new StringDeserializer(), new CustomMessageDeserializer())
                .topics(kafka.topic)
                .name(LABEL)
                .errorPolicy(ErrorPolicy.retry(attempts, Duration.ZERO, Duration.ZERO, ErrorPolicy.skip()))
                .listener(new ShareConsumerRunnerListener() {
                    @Override
                    public void onError(Failure failure, ErrorDecision decision, AcknowledgeType acknowledgement) {
                        out.printf("%s %s %s after delivery %d: %s%n", LABEL, acknowledgement.name(), failure.where(),
                                failure.attempt(), failure.error().getMessage());
                        out.flush();
                    }
                });
        if (stopOptions.maxMessages != null) {
            builder.maxRecords(stopOptions.maxMessages);
        }
        runner[0] = builder.records(r -> {
            int delivery = r.deliveryCount().orElse((short) 1);
            if (delivery <= failDeliveries) {
                throw new IllegalStateException("simulated failure on delivery " + delivery);
            }
            synchronized (this) {
                consumed++;
                partitions.add(r.partition());
                users.add(r.value().key());
            }
            out.printf("%s partition=%d offset=%d delivery=%d key=%s value=%s%n", LABEL, r.partition(), r.offset(),
                    delivery, r.key(), r.value().value());
            out.flush();
            stop.seen();
        });
        out.printf("%s consuming %s at %s as share group %s%n", LABEL, kafka.topic, kafka.bootstrapServers, group);
        out.flush();
        ShareConsumerRunner<String, CustomMessage> r = runner[0];
        return ConsumerApp.run(new ConsumerApp.Loop(r.name(), r::run, r::close), stop, kafka,
                spec.commandLine().getErr(), () -> {
                    ShareRunnerMetrics m = r.metrics();
                    synchronized (this) {
                        out.printf("%s consumed %d messages from partitions %s, users %s (accepted %d, released %d,"
                                + " rejected %d)%n", LABEL, consumed, partitions, users, m.accepted(), m.released(),
                                m.rejected());
                    }
                    out.flush();
                });
    }
}
