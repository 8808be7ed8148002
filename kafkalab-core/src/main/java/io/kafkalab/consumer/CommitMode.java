package io.kafkalab.consumer;

/**
 * How the runner sends the commits its {@link CommitPolicy} asks for. Commits on partition revocation and
 * on close are always synchronous.
 */
public enum CommitMode {
    /** {@code commitSync}: the runner waits for each commit; a failure is reported and counted. */
    SYNC,
    /**
     * {@code commitAsync}: the runner goes on at once; a failure is reported and counted, and the next
     * commit (which carries offsets at least as high) supersedes it.
     */
    ASYNC
}
