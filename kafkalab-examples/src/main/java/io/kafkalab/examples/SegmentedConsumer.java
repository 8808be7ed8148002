package io.kafkalab.examples;

/**
 * The lab's reassembling consumer as a plain main, for containers and IDEs: the same as {@code kafkalab consume-segmented}, configured by options or
 * by the environment ({@code KAFKA_BOOTSTRAP_SERVERS}, {@code KAFKA_TOPIC}).
 */
public final class SegmentedConsumer {

    private SegmentedConsumer() {
    }

    /**
     * @param args the options of {@code kafkalab consume-segmented}
     */
    public static void main(String[] args) {
        KafkaLab.runAndExit("consume-segmented", args);
    }
}
