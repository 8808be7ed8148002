package io.kafkalab.examples;

/**
 * The lab's SingleMessageConsumer as a plain main, for containers and IDEs: the same as {@code kafkalab consume-single}, configured by options or
 * by the environment ({@code KAFKA_BOOTSTRAP_SERVERS}, {@code KAFKA_TOPIC}).
 */
public final class SingleMessageConsumer {

    private SingleMessageConsumer() {
    }

    /**
     * @param args the options of {@code kafkalab consume-single}
     */
    public static void main(String[] args) {
        KafkaLab.runAndExit("consume-single", args);
    }
}
