package io.kafkalab.examples;

import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where Kafka is, as the lab's {@code .env} said: from options, else from the environment, else the defaults. */
final class KafkaOptions {

    @Option(names = {"-b", "--bootstrap-servers"},
            defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:9092}",
            description = "Kafka bootstrap servers (env KAFKA_BOOTSTRAP_SERVERS; default: ${DEFAULT-VALUE}, "
                    + "where ./kafkalab cluster listens).")
    String bootstrapServers;

    @Option(names = {"-t", "--topic"}, defaultValue = "${env:KAFKA_TOPIC:-topic}",
            description = "Topic (env KAFKA_TOPIC; default: ${DEFAULT-VALUE}).")
    String topic;

    /**
     * @param group    the consumer group
     * @param earliest whether a group without commits starts at the beginning of the topic
     * @return a new consumer config map
     */
    Map<String, Object> consumerConfig(String group, boolean earliest) {
        Map<String, Object> config = config();
        config.put("group.id", group);
        config.put("auto.offset.reset", earliest ? "earliest" : "latest");
        return config;
    }

    /** @return a new client config map with the bootstrap servers */
    Map<String, Object> config() {
        Map<String, Object> config = new HashMap<>();
        config.put("bootstrap.servers", bootstrapServers);
        return config;
    }
}
