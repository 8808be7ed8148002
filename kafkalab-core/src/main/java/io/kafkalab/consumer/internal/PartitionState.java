package io.kafkalab.consumer.internal;

import java.util.ArrayDeque;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * The offsets of one assigned partition, owned by the poll thread: which records were handed out and are not
 * complete (they may complete in any order), the highest committable offset (the lowest incomplete one, or the
 * offset after the newest handed out), what was committed, and what the group's last commit said had completed
 * already (so a new owner skips it). Created on assignment, dropped on revocation.
 *
 * <p>State: {@code ASSIGNED -> REVOKING -> GONE}; {@code ASSIGNED -> GONE} when lost. Only an assigned partition
 * hands out records; workers skip queued records of a partition that is no longer assigned. Not thread safe,
 * except {@link #assigned()}, which workers read.
 */
public final class PartitionState {

    /** Where a partition is in its life. */
    public enum Phase {
        /** Owned: records are handed out and committed. */
        ASSIGNED,
        /** Being revoked: nothing new is handed out; in-flight records may still complete and be committed. */
        REVOKING,
        /** Revoked or lost: nothing is handed out or committed any more. */
        GONE
    }

    final TopicPartition partition;
    private volatile Phase phase = Phase.ASSIGNED;
    private final OffsetWindow incomplete = new OffsetWindow();
    /** The offset after the newest record handed out (or skipped), -1 before the first. */
    private long position = -1;
    /** The offset last committed (or read from the group), -1 when none. */
    private long committed = -1;
    private String committedMetadata;
    /** Manual acknowledgement on the sequential path: commits stop here; MAX_VALUE when not in use. */
    private long ackLimit = Long.MAX_VALUE;
    /** From the group's commit: offsets at or above {@code restartBase} that completed before a restart. */
    private OffsetCodec.Decoded restart = OffsetCodec.Decoded.NOTHING;
    private long restartBase = -1;
    /** Delivered watermark for reassembly: messages whose last segment is below it were delivered. */
    private long deliveredWatermark = -1;
    /** Sequential reassembly: every message whose last segment is below it was handled. */
    private long watermarkOut = -1;
    /** Records fetched but not handed out yet (back-pressure), in offset order. */
    final ArrayDeque<ConsumerRecord<byte[], byte[]>> held = new ArrayDeque<>();
    /** Sequential path: the first record of the current poll not handed out yet, or -1 when all were. */
    long resumeAt = -1;
    /** Whether the runner paused this partition at the consumer. */
    boolean paused;
    /** Sequential path: the record this partition is held at for a retry, or null. */
    RetryHold retry;

    PartitionState(TopicPartition partition) {
        this.partition = partition;
    }

    /** @return the partition */
    public TopicPartition partition() {
        return partition;
    }

    /** @return where it is in its life; any thread */
    public Phase phase() {
        return phase;
    }

    /** @return whether records of it may still be handled; any thread */
    public boolean assigned() {
        return phase == Phase.ASSIGNED;
    }

    void moveTo(Phase next) {
        if (next.ordinal() < phase.ordinal()) {
            throw new IllegalStateException(partition + ": " + phase + " -> " + next);
        }
        phase = next;
    }

    /** Takes what the group's last commit says: the committed offset, a watermark, offsets completed above it. */
    void restoreFrom(OffsetAndMetadata commit) {
        if (commit == null) {
            return;
        }
        committed = commit.offset();
        committedMetadata = commit.metadata();
        OffsetCodec.Decoded d = OffsetCodec.decode(commit.metadata());
        restart = d;
        restartBase = commit.offset();
        deliveredWatermark = d.watermark();
        watermarkOut = d.watermark();
    }

    /** Sequential reassembly: every raw record below {@code offset} was handled, dropped or is pending. */
    void passedWatermark(long offset) {
        watermarkOut = Math.max(watermarkOut, offset);
    }

    /** @return the delivered watermark to commit (sequential reassembly), never past what was acknowledged */
    long watermarkOut() {
        return watermarkOut < 0 ? -1 : Math.min(watermarkOut, ackLimit == -1 ? watermarkOut : ackLimit);
    }

    /** @return whether the group's commit says this record completed before (then it is not handled again) */
    boolean completedBefore(long offset) {
        return restartBase >= 0 && restart.completed(offset - restartBase);
    }

    /** @return the delivered watermark from the group's commit, or -1 */
    long deliveredWatermark() {
        return deliveredWatermark;
    }

    /** A record was handed out and is not complete. */
    void handedOut(long offset) {
        incomplete.add(offset);
        position = Math.max(position, offset + 1);
    }

    /** A record handed out by {@link #handedOut} completed. */
    void completed(long offset) {
        incomplete.remove(offset);
    }

    /** A record was handed out and completed at once (sequential path), or skipped. */
    void passed(long offset) {
        position = Math.max(position, offset + 1);
    }

    /** @return records handed out and not complete */
    int incompleteCount() {
        return incomplete.size();
    }

    /** @return the offset after the newest record handed out, or -1 */
    long position() {
        return position;
    }

    /** @return the lowest incomplete offset, or the position when all are complete, or -1 when nothing was handed out */
    long committable() {
        long next = incomplete.isEmpty() ? position : incomplete.first();
        return Math.min(next, ackLimit);
    }

    /** @return the offset to seek to for re-reading what was fetched and not handed out, or -1 when none */
    long rewindTo() {
        return held.isEmpty() ? resumeAt : held.peek().offset();
    }

    /** Sequential manual acknowledgement: everything handed out so far may be committed. */
    void acknowledgeAll() {
        if (ackLimit != Long.MAX_VALUE) {
            ackLimit = Math.max(ackLimit, incomplete.isEmpty() ? position : incomplete.first());
        }
    }

    /** Sequential manual acknowledgement is in use: commit nothing that is not acknowledged. */
    void limitToAcknowledged() {
        ackLimit = Math.max(-1, committed);
    }

    /**
     * Whether one more record may be handed out without the commit metadata outgrowing its budget.
     *
     * @param offset the record's offset
     * @return false when the partition must wait for its oldest records to complete
     */
    boolean fitsBudget(long offset) {
        if (incomplete.isEmpty()) {
            return true;
        }
        long span = Math.max(position, offset + 1) - incomplete.first();
        return OffsetCodec.maxLength(span, incomplete.size() + 1L) <= OffsetCodec.BUDGET;
    }

    /**
     * What to commit now, if anything moved since the last commit.
     *
     * @param withSet   whether to record completed offsets above the committed one
     * @param watermark the delivered watermark to record, or -1
     * @return the commit, or null when nothing changed
     */
    OffsetAndMetadata commitAhead(boolean withSet, long watermark) {
        long next = committable();
        if (next < 0) {
            return null;
        }
        next = Math.max(next, committed);
        String metadata = null;
        if (withSet && next < position && !incomplete.isEmpty()) {
            metadata = OffsetCodec.encode(next, position, incomplete, watermark);
            if (metadata != null && metadata.length() > OffsetCodec.BROKER_LIMIT) {
                metadata = OffsetCodec.encode(next, next, new OffsetWindow(), watermark); // watermark only: never rejected
            }
        } else if (watermark >= 0) {
            metadata = OffsetCodec.encode(next, next, new OffsetWindow(), watermark);
        }
        if (next == committed && (metadata == null || metadata.equals(committedMetadata))) {
            return null; // nothing moved (a commit that only drops the metadata would add nothing either)
        }
        return metadata == null ? new OffsetAndMetadata(next) : new OffsetAndMetadata(next, metadata);
    }

    /** A commit of it succeeded. */
    void committed(OffsetAndMetadata commit) {
        if (commit.offset() >= committed) {
            committed = commit.offset();
            committedMetadata = commit.metadata();
        }
    }

    /** @return the offset last committed, or -1 */
    long lastCommitted() {
        return committed;
    }

    @Override
    public String toString() {
        return partition + "[" + phase + ", committed " + committed + ", position " + position + ", incomplete "
                + incomplete.size() + "]";
    }
}
