package io.kafkalab.consumer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A consumer in its own JVM, for tests that kill it: prints {@code processed <value>} for every record it
 * handles. Arguments: bootstrap servers, topic, group, records per commit, and the number of the record
 * whose handler blocks (reading stdin, which the test never writes), or 0 for none. Registers
 * {@link ConsumerRunner#closeOnShutdown()} so SIGTERM commits what was processed.
 */
public final class ChildConsumerMain {

    private ChildConsumerMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", args[0]);
        config.put("group.id", args[2]);
        config.put("auto.offset.reset", "earliest");
        // a killed member blocks the group's next rebalance until its session expires: keep that short
        config.put("session.timeout.ms", 6000);
        config.put("heartbeat.interval.ms", 1000);
        int commitEvery = Integer.parseInt(args[3]);
        int blockAt = Integer.parseInt(args[4]);
        int[] count = {0};
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        ConsumerRunner<String, String> runner = ConsumerRunner.builder(config, new StringDeserializer(),
                        new StringDeserializer())
                .topics(args[1])
                .commitPolicy(CommitPolicy.everyRecords(commitEvery))
                .records(r -> {
                    if (++count[0] == blockAt) {
                        System.out.println("blocked");
                        System.out.flush();
                        stdin.readLine();
                    }
                    System.out.println("processed " + r.value());
                    System.out.flush();
                })
                .closeOnShutdown();
        System.out.println("started");
        System.out.flush();
        runner.run();
    }
}
