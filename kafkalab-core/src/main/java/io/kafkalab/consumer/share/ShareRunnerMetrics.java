package io.kafkalab.consumer.share;

/**
 * A snapshot of what a {@link ShareConsumerRunner} has done since it started. Every record the runner took from a
 * poll ends in exactly one of {@code accepted}, {@code released} or {@code rejected} (dead-lettered records are
 * accepted, and counted in {@code deadLettered} too).
 *
 * @param accepted                records acknowledged ACCEPT: handled, or dead-lettered
 * @param released                records acknowledged RELEASE: a retry decision, the rest of a poll when the runner
 *                                stopped (STOP, close, {@code maxRecords}); the broker delivers them again
 * @param rejected                records acknowledged REJECT: given up on (skip, or the retries used up); the broker
 *                                archives them and never delivers them again
 * @param deadLettered            records the error policy published to a dead-letter topic (then accepted)
 * @param failures                handler failures and poison pills handed to the error policy
 * @param deserializationFailures poison pills among {@code failures}
 * @param commits                 acknowledgement commits ({@code commitSync}) that succeeded for every partition
 * @param commitFailures          partitions whose acknowledgements the broker refused (the records' locks then expire
 *                                and they are delivered again)
 * @param stopped                 1 when the error policy stopped the runner
 * @param denied                  1 when the runner stopped because the cluster refused it its topic or share group
 *                                (a {@link io.kafkalab.NotAuthorizedException}, never retried)
 */
public record ShareRunnerMetrics(long accepted, long released, long rejected, long deadLettered, long failures,
                                 long deserializationFailures, long commits, long commitFailures, long stopped,
                                 long denied) {
}
