package io.kafkalab.examples;

import io.kafkalab.consumer.CommitPolicy;
import io.kafkalab.consumer.ConsumerRunner;
import io.kafkalab.consumer.ErrorDecision;
import io.kafkalab.consumer.FailureKind;
import io.kafkalab.segment.ReassemblyConfig;
import io.kafkalab.segment.ReassemblyException;
import io.kafkalab.segment.SegmentHeader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kafkalab consume-segmented}: the lab's reassembling consumer, showing each message grow. */
@Command(name = "consume-segmented", mixinStandardHelpOptions = true,
        description = "Reassembles segmented messages (from the http command or SegmentingProducer): shows each "
                + "message growing as its segments arrive, then the complete message with its id, segment count "
                + "and size; reports incomplete, corrupt or invalid messages with the reason.")
final class ConsumeSegmentedCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--from-beginning", description = "Read what was sent before this consumer started.")
    boolean fromBeginning;

    @Option(names = "--group", description = "Consumer group (default: a new consume-segmented-<random> group).")
    String group;

    @Mixin
    StopOptions stopOptions;

    @Option(names = "--out-dir", description = "Write each complete message's bytes to DIR/<messageId>.bin.")
    Path outDir;

    @Option(names = "--preview-chars", defaultValue = "200",
            description = "Characters of each complete message to show (default: ${DEFAULT-VALUE}).")
    int previewChars;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (outDir != null) {
            Files.createDirectories(outDir);
        }
        Map<String, Object> config = kafka.consumerConfig(group != null ? group
                : "consume-segmented-" + UUID.randomUUID().toString().substring(0, 8), fromBeginning);
        AtomicLong complete = new AtomicLong();
        AtomicLong dropped = new AtomicLong();
        ConsumerRunner<String, byte[]>[] runner = new ConsumerRunner[1];
        StopConditions stop = stopOptions.conditions(() -> runner[0].close(Duration.ZERO));
        ReassemblyConfig reassembly = ReassemblyConfig.custom().progress(p -> {
            int width = 20;
            int filled = (int) ((long) width * p.received() / p.segmentCount());
            out.printf("message %s [%s%s] %d/%d segments, %d/%d bytes%n", p.messageId(), "#".repeat(filled),
                    ".".repeat(width - filled), p.received(), p.segmentCount(), p.receivedBytes(), p.totalSize());
            out.flush();
        }).build();
        runner[0] = stopOptions.limit(ConsumerRunner.builder(config, new StringDeserializer(),
                        new ByteArrayDeserializer()))
                .topics(kafka.topic).name("consume-segmented")
                .reassemble(reassembly)
                .commitPolicy(CommitPolicy.afterEachRecord())
                .errorPolicy(failure -> {
                    if (failure.kind() == FailureKind.SEGMENT && failure.error() instanceof ReassemblyException e) {
                        out.println("DROPPED " + e.dropped().describe());
                    } else {
                        out.println("FAILED " + failure.where() + ": " + failure.error());
                    }
                    out.flush();
                    dropped.incrementAndGet();
                    return ErrorDecision.skip();
                })
                .records(r -> {
                    Header idHeader = r.headers().lastHeader(SegmentHeader.MESSAGE_ID);
                    Header countHeader = r.headers().lastHeader(SegmentHeader.COUNT);
                    String id = idHeader == null ? "(plain record at offset " + r.offset() + ")"
                            : new String(idHeader.value(), StandardCharsets.UTF_8);
                    String count = countHeader == null ? "1" : new String(countHeader.value(), StandardCharsets.UTF_8);
                    String text = new String(r.value(), StandardCharsets.UTF_8);
                    out.printf("COMPLETE message %s: %s segments, %d bytes, partition %d: %s%n", id, count,
                            r.value().length, r.partition(),
                            text.length() > previewChars ? text.substring(0, previewChars) + "..." : text);
                    out.flush();
                    if (outDir != null && idHeader != null) {
                        try {
                            Files.write(outDir.resolve(id + ".bin"), r.value());
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                    complete.incrementAndGet();
                    stop.seen();
                });
        return ConsumerApp.run(runner[0], stop, kafka, spec.commandLine().getErr(), () -> {
            out.printf("consume-segmented: %d complete messages, %d dropped%n", complete.get(), dropped.get());
            out.flush();
        });
    }
}
