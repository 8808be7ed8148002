package io.kafkalab.examples;

/**
 * The lab's HTTP API as a plain main, for containers and IDEs: the same as {@code kafkalab http}, configured by options or
 * by the environment ({@code KAFKA_BOOTSTRAP_SERVERS}, {@code KAFKA_TOPIC}).
 */
public final class HttpApi {

    private HttpApi() {
    }

    /**
     * @param args the options of {@code kafkalab http}
     */
    public static void main(String[] args) {
        KafkaLab.runAndExit("http", args);
    }
}
