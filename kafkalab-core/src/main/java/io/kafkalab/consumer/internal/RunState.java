package io.kafkalab.consumer.internal;

import java.util.concurrent.atomic.AtomicReference;

/**
 * A runner's life: {@code NEW -> RUNNING -> CLOSING -> STOPPED}, or {@code NEW -> STOPPED} when closed before it
 * started. Moves only forward, by compare-and-set; thread safe.
 */
public final class RunState {

    /** The states. */
    public enum State { NEW, RUNNING, CLOSING, STOPPED }

    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);

    /** @return the current state */
    public State get() {
        return state.get();
    }

    /**
     * Moves from {@code from} to {@code to}.
     *
     * @return whether it was in {@code from}
     */
    public boolean moveFrom(State from, State to) {
        if (to.ordinal() <= from.ordinal()) {
            throw new IllegalArgumentException(from + " -> " + to);
        }
        return state.compareAndSet(from, to);
    }

    /** Asks to close: RUNNING becomes CLOSING; NEW becomes STOPPED. @return the state it was in */
    public State requestClose() {
        while (true) {
            State s = state.get();
            State next = s == State.NEW ? State.STOPPED : s == State.RUNNING ? State.CLOSING : s;
            if (next == s || state.compareAndSet(s, next)) {
                return s;
            }
        }
    }

    /** The loop ended. */
    public void stopped() {
        state.set(State.STOPPED);
    }

    /** @return whether the loop should go on */
    public boolean running() {
        return state.get() == State.RUNNING;
    }

    @Override
    public String toString() {
        return state.get().name();
    }
}
