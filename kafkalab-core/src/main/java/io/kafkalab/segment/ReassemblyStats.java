package io.kafkalab.segment;

import java.util.Map;

/**
 * Counters of a {@link Reassembler}.
 *
 * @param bufferedBytes      bytes held for incomplete messages now (payload plus per-segment overhead)
 * @param incompleteMessages incomplete messages held now
 * @param completed          segmented messages completed and checked
 * @param passedThrough      records without segment headers passed through
 * @param duplicateSegments  segments received twice and ignored
 * @param dropped            drop reports by reason (a message, or a lone record that could not join one)
 */
public record ReassemblyStats(long bufferedBytes, int incompleteMessages, long completed, long passedThrough,
                              long duplicateSegments, Map<DropReason, Long> dropped) {

    /** Copies the map. */
    public ReassemblyStats {
        dropped = Map.copyOf(dropped);
    }

    /** @return drop reports for one reason */
    public long dropped(DropReason reason) {
        return dropped.getOrDefault(reason, 0L);
    }
}
