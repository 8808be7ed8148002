package io.kafkalab.consumer.internal;

import java.util.Arrays;

/**
 * The offsets of one partition that were handed out and are not complete, in offset order. Offsets are added in
 * increasing order (the usual case, O(1)) or, rarely, below the newest (a reassembled message's first segment);
 * they complete in any order. Completed entries become tombstones that are dropped from the head at once and
 * compacted away when the array fills. Not thread safe: the poll thread owns it.
 */
final class OffsetWindow {

    private static final long TOMBSTONE = -1L;

    private long[] offsets = new long[16];
    /** Index of the first slot in use; slots [head, tail) hold ascending offsets or tombstones. */
    private int head;
    private int tail;
    private int live;
    /** The largest offset ever added: anything above it may be appended. */
    private long maxAdded = -1;

    /** @return whether no offset is incomplete */
    boolean isEmpty() {
        return live == 0;
    }

    /** @return how many offsets are incomplete */
    int size() {
        return live;
    }

    /** @return the lowest incomplete offset; only when not empty */
    long first() {
        return offsets[head];
    }

    /**
     * Adds an incomplete offset.
     *
     * @param offset not yet in the window
     */
    void add(long offset) {
        if (tail == offsets.length) {
            makeRoom();
        }
        if (live == 0 || offset > maxAdded) {
            offsets[tail++] = offset;
            maxAdded = Math.max(maxAdded, offset);
        } else {
            insert(offset);
        }
        live++;
    }

    /**
     * Completes an offset.
     *
     * @param offset an incomplete offset
     * @return whether it was in the window
     */
    boolean remove(long offset) {
        int i = indexOf(offset);
        if (i < 0) {
            return false;
        }
        offsets[i] = TOMBSTONE;
        live--;
        if (live == 0) {
            head = 0;
            tail = 0;
        } else {
            while (offsets[head] == TOMBSTONE) {
                head++;
            }
        }
        return true;
    }

    /** @return whether {@code offset} is incomplete */
    boolean contains(long offset) {
        return indexOf(offset) >= 0;
    }

    /**
     * Calls {@code each} with every incomplete offset in ascending order.
     *
     * @param each the callback
     */
    void forEach(java.util.function.LongConsumer each) {
        for (int i = head; i < tail; i++) {
            if (offsets[i] != TOMBSTONE) {
                each.accept(offsets[i]);
            }
        }
    }

    /** @return the newest incomplete offset, or -1 */
    long newestLive() {
        for (int i = tail - 1; i >= head; i--) {
            if (offsets[i] != TOMBSTONE) {
                return offsets[i];
            }
        }
        return -1;
    }

    private void insert(long offset) {
        int at = tail;
        while (at > head && (offsets[at - 1] == TOMBSTONE || offsets[at - 1] > offset)) {
            at--;
        }
        // tombstones between the insertion point and the next smaller live offset stay where they are
        System.arraycopy(offsets, at, offsets, at + 1, tail - at);
        offsets[at] = offset;
        tail++;
        if (at < head) {
            head = at;
        }
    }

    /** Binary search over the live entries, stepping over tombstones. */
    private int indexOf(long offset) {
        int lo = head;
        int hi = tail - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int probe = mid;
            while (probe <= hi && offsets[probe] == TOMBSTONE) {
                probe++;
            }
            if (probe > hi) {
                hi = mid - 1;
                continue;
            }
            long value = offsets[probe];
            if (value == offset) {
                return probe;
            } else if (value < offset) {
                lo = probe + 1;
            } else {
                hi = mid - 1;
            }
        }
        return -1;
    }

    private void makeRoom() {
        int n = 0;
        for (int i = head; i < tail; i++) {
            if (offsets[i] != TOMBSTONE) {
                offsets[n++] = offsets[i];
            }
        }
        Arrays.fill(offsets, n, tail, 0L);
        head = 0;
        tail = n;
        if (n > offsets.length / 2) {
            offsets = Arrays.copyOf(offsets, offsets.length * 2);
        }
    }
}
