/*
 * The class kafka-clients 4.3 had at this name (Apache License 2.0), before Kafka 4.4 moved it to
 * org.apache.kafka.common.utils.internals (KAFKA-20297). parallel-consumer 0.5.3.2, the benchmark's peer, reads its
 * commit metadata through it.
 */
package org.apache.kafka.common.utils;

import java.io.InputStream;
import java.nio.ByteBuffer;

/** An input stream over a byte buffer's remaining bytes (kafka-clients 4.3's, for parallel-consumer 0.5.3.2). */
public final class ByteBufferInputStream extends InputStream {

    private final ByteBuffer buffer;

    /** @param buffer read from its position to its limit; not copied */
    public ByteBufferInputStream(ByteBuffer buffer) {
        this.buffer = buffer;
    }

    @Override
    public int read() {
        return buffer.hasRemaining() ? buffer.get() & 0xFF : -1;
    }

    @Override
    public int read(byte[] bytes, int off, int len) {
        if (len == 0) {
            return 0;
        }
        if (!buffer.hasRemaining()) {
            return -1;
        }
        int n = Math.min(len, buffer.remaining());
        buffer.get(bytes, off, n);
        return n;
    }

    @Override
    public int available() {
        return buffer.remaining();
    }
}
