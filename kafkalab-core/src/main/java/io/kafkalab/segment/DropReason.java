package io.kafkalab.segment;

/** Why a reassembler gave up on a message. Every drop is reported; none is silent. */
public enum DropReason {
    /** The buffer's byte bound was reached and this was the oldest incomplete message. */
    EVICTED,
    /** Incomplete for longer than the maximum age, or its first segment fell too far behind the partition. */
    EXPIRED,
    /** All segments arrived but the CRC32C of the whole does not match: corrupt, never delivered. */
    CORRUPT,
    /** Segment headers missing, malformed, out of range, conflicting, or sizes that do not add up. */
    INVALID,
    /** The message claims more bytes than the reassembler accepts; nothing was allocated for it. */
    TOO_LARGE
}
