package io.kafkalab.producer;

/**
 * Counts of a run of sends at one moment, as {@link SendTracker#summary()} reports them.
 *
 * @param sent         sends started
 * @param acknowledged sends the broker acknowledged
 * @param failed       sends that failed, synchronously or in their callback
 * @param firstError   the first failure, or null when none failed
 */
public record SendSummary(long sent, long acknowledged, long failed, Exception firstError) {

    /** @return sends neither acknowledged nor failed yet */
    public long pending() {
        return sent - acknowledged - failed;
    }

    /** @return whether every send was acknowledged */
    public boolean allAcknowledged() {
        return acknowledged == sent;
    }

    /** @return for example {@code 100 sent, 100 acknowledged, 0 failed} */
    @Override
    public String toString() {
        String s = sent + " sent, " + acknowledged + " acknowledged, " + failed + " failed";
        if (pending() > 0) {
            s += ", " + pending() + " pending";
        }
        return firstError == null ? s : s + "; first error: " + firstError;
    }
}
