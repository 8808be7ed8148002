package io.kafkalab.reliability;

/**
 * The long-form switch of the forked-cluster suites: {@code -Dkafkalab.reliability.full=true} (or soak mode,
 * {@link Soak}) runs the long variants: more leader kills, a longer pause, every commit mode and larger volumes in
 * the compatibility matrix. Off by default, so that {@code mvn verify} runs the short forms.
 */
final class LongForm {

    /** The system property that turns the long form on. */
    static final String PROPERTY = "kafkalab.reliability.full";

    private LongForm() {
    }

    /** @return whether the long variants run */
    static boolean on() {
        return Boolean.getBoolean(PROPERTY) || Soak.duration().isPresent();
    }

    /** @return {@code shortForm} in CI, {@code longForm} with the switch on */
    static int pick(int shortForm, int longForm) {
        return on() ? longForm : shortForm;
    }
}
