/*
 * The interface kafka-clients 4.3 had at this name (Apache License 2.0), before Kafka 4.4 moved it to
 * org.apache.kafka.common.utils.internals (KAFKA-20297). parallel-consumer 0.5.3.2, the benchmark's peer, implements
 * it; without it that peer fails on this project's kafka-clients 4.4 (NoClassDefFoundError).
 */
package org.apache.kafka.common.utils;

import java.io.Closeable;
import java.util.Iterator;

/**
 * An iterator that must be closed (kafka-clients 4.3's, for parallel-consumer 0.5.3.2).
 *
 * @param <T> the elements
 */
public interface CloseableIterator<T> extends Iterator<T>, Closeable {

    @Override
    void close();

    /**
     * @param inner the iterator to wrap; its elements are this one's
     * @param <R>   the elements
     * @return an iterator whose close does nothing
     */
    static <R> CloseableIterator<R> wrap(Iterator<R> inner) {
        return new CloseableIterator<>() {
            @Override
            public void close() {
            }

            @Override
            public boolean hasNext() {
                return inner.hasNext();
            }

            @Override
            public R next() {
                return inner.next();
            }

            @Override
            public void remove() {
                inner.remove();
            }
        };
    }
}
