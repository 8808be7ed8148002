package io.kafkalab.reliability;

import io.kafkalab.consumer.CommitPolicy;
import io.kafkalab.consumer.ConsumerRunner;
import io.kafkalab.consumer.ErrorPolicy;
import io.kafkalab.segment.ReassemblyConfig;
import io.kafkalab.segment.SegmentHeader;
import io.kafkalab.segment.Segments;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A reassembling runner in a JVM of its own, for a test that kills it mid-stream. Arguments: bootstrap
 * servers, topic, group. Prints {@link #describe} of every message it delivers.
 */
public final class ChildSegmentedMain {

    private ChildSegmentedMain() {
    }

    public static void main(String[] args) {
        runner(args[0], args[1], args[2], line -> {
            System.out.println(line);
            System.out.flush();
        }).run();
    }

    /**
     * The reassembling runner of the segmented scenario: {@code afterEachRecord}, corrupt or incomplete messages
     * skipped (and counted by the runner), never delivered.
     *
     * @param sink gets {@link #describe} of each delivered message
     */
    static ConsumerRunner<String, byte[]> runner(String bootstrapServers, String topic, String group,
                                                 Consumer<String> sink) {
        return ConsumerRunner.builder(Map.of("bootstrap.servers", bootstrapServers, "group.id", group,
                                "auto.offset.reset", "earliest", "group.instance.id", group + "-a"),
                        new StringDeserializer(), new ByteArrayDeserializer())
                .topics(topic)
                .reassemble(ReassemblyConfig.ofDefaults())
                .commitPolicy(CommitPolicy.afterEachRecord())
                .errorPolicy(ErrorPolicy.skip())
                .records(r -> sink.accept(describe(r)));
    }

    /** @return {@code delivered <message id> <crc32c> <length>} */
    static String describe(ConsumerRecord<String, byte[]> r) {
        String id = new String(r.headers().lastHeader(SegmentHeader.MESSAGE_ID).value(), StandardCharsets.UTF_8);
        return "delivered " + id + " " + Segments.crc32c(r.value()) + " " + r.value().length;
    }
}
