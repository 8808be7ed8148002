package io.kafkalab.consumer.share;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A share consumer in its own JVM, for the test that kills it: on its first record it prints
 * {@code holding <offset>} and blocks (reading stdin, which the test never writes), so it dies holding that record
 * (and the rest of its poll) unacknowledged. Arguments: bootstrap servers, topic, group.
 */
public final class ChildShareConsumerMain {

    private ChildShareConsumerMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", args[0]);
        config.put("group.id", args[2]);
        config.put("max.poll.records", 5);
        config.put("share.acquire.mode", "record_limit");
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        ShareConsumerRunner<String, String> runner = ShareConsumerRunner.builder(config, new StringDeserializer(),
                        new StringDeserializer())
                .topics(args[1])
                .records(r -> {
                    System.out.println("holding " + r.offset());
                    System.out.flush();
                    stdin.readLine();
                });
        runner.run();
    }
}
