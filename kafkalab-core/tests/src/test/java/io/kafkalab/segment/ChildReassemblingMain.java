package io.kafkalab.segment;

import io.kafkalab.consumer.CommitPolicy;
import io.kafkalab.consumer.ConsumerRunner;
import io.kafkalab.consumer.ErrorPolicy;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A reassembling consumer in its own JVM, for tests that kill it: prints {@code delivered <id> <crc> <length>}
 * for each message; in the handler of message number {@code blockAt} it prints {@code blocked} and blocks.
 * Arguments: bootstrap servers, topic, group, blockAt.
 */
public final class ChildReassemblingMain {

    private ChildReassemblingMain() {
    }

    public static void main(String[] args) throws Exception {
        int blockAt = Integer.parseInt(args[3]);
        int[] count = {0};
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        ConsumerRunner.builder(Map.of("bootstrap.servers", args[0], "group.id", args[2],
                                "auto.offset.reset", "earliest", "session.timeout.ms", 6000,
                                "heartbeat.interval.ms", 1000),
                        new StringDeserializer(), new ByteArrayDeserializer())
                .topics(args[1])
                .reassemble(ReassemblyConfig.ofDefaults())
                .commitPolicy(CommitPolicy.afterEachRecord())
                .errorPolicy(ErrorPolicy.stop())
                .records(r -> {
                    if (++count[0] == blockAt) {
                        System.out.println("blocked");
                        System.out.flush();
                        stdin.readLine();
                    }
                    System.out.println(ReassemblingRunnerIT.describe(r));
                    System.out.flush();
                })
                .run();
    }
}
