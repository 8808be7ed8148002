package io.kafkalab.consumer.internal;

import java.util.Arrays;

/**
 * The offsets of one partition that were handed out and are not complete, in offset order. Offsets are added in
 * increasing order (the usual case, O(1)) or, rarely, below the newest (a reassembled message's first segment);
 * they complete in any order. A slot holds {@code offset << 1}, its low bit set once the offset completed: completed
 * slots keep their place (and their offset), so the array stays sorted and every lookup is a plain binary search,
 * O(log n) however many completed slots lie between the live ones (a record held for a retry at the head of a
 * partition while thousands behind it complete). Completed slots are dropped from the head at once and compacted
 * away when the array fills, which happens after at least as many additions as the array has room for: O(1)
 * amortized, memory within twice the most offsets ever incomplete at once. Offsets are below 2<sup>62</sup>. Not
 * thread safe: the poll thread owns it.
 */
final class OffsetWindow {

    /** The low bit of a slot: its offset completed. */
    private static final long DONE = 1L;

    private long[] slots = new long[16];
    /** Index of the first live slot (when any); slots [head, tail) ascend by offset, live or completed. */
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
        return slots[head] >>> 1;
    }

    /**
     * Adds an incomplete offset.
     *
     * @param offset not yet in the window (it may have completed before: it is incomplete again)
     */
    void add(long offset) {
        if (live == 0) {
            head = 0;
            tail = 0;
        }
        if (tail == slots.length) {
            makeRoom();
        }
        if (live == 0 || offset > maxAdded) {
            slots[tail++] = offset << 1;
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
        if (i < 0 || (slots[i] & DONE) != 0) {
            return false;
        }
        slots[i] |= DONE;
        live--;
        if (live == 0) {
            head = 0;
            tail = 0;
        } else {
            while ((slots[head] & DONE) != 0) {
                head++;
            }
        }
        return true;
    }

    /** @return whether {@code offset} is incomplete */
    boolean contains(long offset) {
        int i = indexOf(offset);
        return i >= 0 && (slots[i] & DONE) == 0;
    }

    /**
     * Calls {@code each} with every incomplete offset in ascending order.
     *
     * @param each the callback
     */
    void forEach(java.util.function.LongConsumer each) {
        for (int i = head; i < tail; i++) {
            if ((slots[i] & DONE) == 0) {
                each.accept(slots[i] >>> 1);
            }
        }
    }

    /** @return the newest incomplete offset, or -1 */
    long newestLive() {
        for (int i = tail - 1; i >= head; i--) {
            if ((slots[i] & DONE) == 0) {
                return slots[i] >>> 1;
            }
        }
        return -1;
    }

    /** @return the slots the window holds now, live or completed (for tests of its memory) */
    int capacity() {
        return slots.length;
    }

    /** An offset at or below the newest added: in its place, or its completed slot made live again. */
    private void insert(long offset) {
        int at = lowerBound(offset);
        if (at < tail && slots[at] >>> 1 == offset) {
            slots[at] = offset << 1; // completed before, incomplete again
            return;
        }
        if (at == head && head > 0) {
            slots[--head] = offset << 1; // below every live one: the slots before the head are free
            return;
        }
        System.arraycopy(slots, at, slots, at + 1, tail - at);
        slots[at] = offset << 1;
        tail++;
    }

    /** @return the first index in [head, tail) whose offset is not below {@code offset}, else tail */
    private int lowerBound(long offset) {
        int lo = head;
        int hi = tail;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (slots[mid] >>> 1 < offset) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** @return the index in [head, tail) of the slot holding {@code offset}, live or completed, or -1 */
    private int indexOf(long offset) {
        int i = lowerBound(offset);
        return i < tail && slots[i] >>> 1 == offset ? i : -1;
    }

    /** Drops the completed slots; doubles the array when more than half of it is live. */
    private void makeRoom() {
        int n = 0;
        for (int i = head; i < tail; i++) {
            if ((slots[i] & DONE) == 0) {
                slots[n++] = slots[i];
            }
        }
        head = 0;
        tail = n;
        if (n > slots.length / 2) {
            slots = Arrays.copyOf(slots, slots.length * 2);
        }
    }
}
