package io.kafkalab.bench;

import io.kafkalab.segment.AssembledMessage;
import io.kafkalab.segment.Reassembler;
import io.kafkalab.segment.ReassemblyConfig;
import io.kafkalab.segment.SegmentHeader;
import io.kafkalab.segment.Segments;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reassembly in memory of 1 KB, 1 MB and 64 MB messages (segments of 512 KiB, as SegmentingProducer sends them,
 * already deserialized into records as a consumer has them) beside {@code System.arraycopy} of the same bytes
 * into a new array: the physical floor of producing the whole message once. Also segmenting (the producer's
 * split, with its CRC32C) beside the same floor. Bytes per second = size x operations per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class SegmentBenchmark {

    /** Message size in bytes. */
    @Param({"1024", "1048576", "67108864"})
    public int size;

    byte[] message;
    List<ConsumerRecord<byte[], byte[]>> segments;
    long offset;

    /** Builds the message and its segment records. */
    @Setup(Level.Trial)
    public void setup() {
        message = new byte[size];
        new Random(42).nextBytes(message);
        segments = records(message, 512 * 1024, 0);
    }

    /** @return a copy of the message: the floor */
    @Benchmark
    public byte[] arraycopyFloor() {
        byte[] copy = new byte[message.length];
        System.arraycopy(message, 0, copy, 0, message.length);
        return copy;
    }

    /** @return the message reassembled (and CRC-checked) from its segments by a fresh reassembler */
    @Benchmark
    public byte[] reassemble() {
        Reassembler reassembler = new Reassembler(ReassemblyConfig.ofDefaults());
        AssembledMessage done = null;
        for (ConsumerRecord<byte[], byte[]> r : segments) {
            done = reassembler.add(r).message();
        }
        return done.value();
    }

    /** @return the message's segments, as the producer cuts them (with the CRC32C of the whole) */
    @Benchmark
    public List<byte[]> segment() {
        Segments.crc32c(message);
        return Segments.split(message, 512 * 1024);
    }

    /** Segment records of {@code data}, as a consumer receives them, from {@code firstOffset} on. */
    static List<ConsumerRecord<byte[], byte[]>> records(byte[] data, int maxSegmentBytes, long firstOffset) {
        UUID id = UUID.randomUUID();
        List<byte[]> parts = Segments.split(data, maxSegmentBytes);
        int crc = Segments.crc32c(data);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            RecordHeaders h = new RecordHeaders();
            new SegmentHeader(SegmentHeader.FORMAT_VERSION, id, i, parts.size(), data.length, crc).writeTo(h);
            out.add(new ConsumerRecord<>("topic", 0, firstOffset + i, 0L, TimestampType.CREATE_TIME, -1,
                    parts.get(i).length, null, parts.get(i), h, Optional.empty()));
        }
        return out;
    }
}
