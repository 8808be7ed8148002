package io.kafkalab.examples;

/**
 * The lab's Producer as a plain main, for containers and IDEs: the same as {@code kafkalab produce}, configured by options or
 * by the environment ({@code KAFKA_BOOTSTRAP_SERVERS}, {@code KAFKA_TOPIC}).
 */
public final class Producer {

    private Producer() {
    }

    /**
     * @param args the options of {@code kafkalab produce}
     */
    public static void main(String[] args) {
        KafkaLab.runAndExit("produce", args);
    }
}
