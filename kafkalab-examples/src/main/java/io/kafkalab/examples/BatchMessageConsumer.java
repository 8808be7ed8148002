package io.kafkalab.examples;

/**
 * The lab's BatchMessageConsumer as a plain main, for containers and IDEs: the same as {@code kafkalab consume-batch}, configured by options or
 * by the environment ({@code KAFKA_BOOTSTRAP_SERVERS}, {@code KAFKA_TOPIC}).
 */
public final class BatchMessageConsumer {

    private BatchMessageConsumer() {
    }

    /**
     * @param args the options of {@code kafkalab consume-batch}
     */
    public static void main(String[] args) {
        KafkaLab.runAndExit("consume-batch", args);
    }
}
