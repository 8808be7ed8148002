package io.kafkalab.bench;

import io.kafkalab.producer.Producers;
import io.kafkalab.producer.SendTracker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What kafkalab's send path adds to each send, alone: the same record sent through a producer that does nothing
 * but answer the callbacks, in batches of {@value #BATCH} as a broker's acknowledgement does, once with the raw
 * client's idiom (a callback lambda counting into an {@code AtomicLong}, as {@code ProduceBench}'s raw variant) and
 * once through {@code SendTracker.send} and {@code Producers.send}. The difference of the two times is the wrapper's
 * whole cost per send (its future, its counters, its once-only guard), measured to a nanosecond, which an
 * end-to-end run on a shared 2-core machine cannot resolve; set beside the real client's CPU per record
 * ({@code ./kafkalab bench produce}, about 0.5 µs) it is the wrapper's share. It runs on one thread, so it leaves
 * out the cache line that the real I/O thread fetches to complete a future the caller allocated; the raw
 * client's lambda pays the same fetch.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class SendPathBenchmark {

    /** Callbacks answered together, about one 256 KiB batch of 100-byte records. */
    static final int BATCH = 1024;

    InstantProducer producer;
    SendTracker tracker;
    AtomicLong acked;
    byte[] value;

    /** A fresh producer, tracker and counter. */
    @Setup
    public void setup() {
        producer = new InstantProducer();
        tracker = new SendTracker();
        acked = new AtomicLong();
        value = new byte[BenchSettings.VALUE_BYTES];
    }

    /** @return the raw client's idiom: send with a lambda that counts acknowledgements */
    @Benchmark
    public Future<RecordMetadata> rawSend() {
        return producer.send(new ProducerRecord<>("bench", value), (m, e) -> {
            if (e == null) {
                acked.incrementAndGet();
            }
        });
    }

    /** @return the same record through {@code SendTracker.send}, as {@code ProduceBench}'s kafkalab variant */
    @Benchmark
    public CompletableFuture<RecordMetadata> kafkalabSend() {
        return tracker.send(producer, new ProducerRecord<>("bench", value));
    }

    /** @return the same record through {@code Producers.send}, the future alone without a tracker */
    @Benchmark
    public CompletableFuture<RecordMetadata> producersSend() {
        return Producers.send(producer, new ProducerRecord<>("bench", value));
    }

    /**
     * A producer that keeps each callback and answers the pending ones with the same metadata every {@value #BATCH}
     * sends (and on {@link #flush()}); everything but sending is unsupported.
     */
    static final class InstantProducer implements Producer<byte[], byte[]> {
        private static final RecordMetadata METADATA = new RecordMetadata(new TopicPartition("bench", 0), 0, 0, 0,
                0, BenchSettings.VALUE_BYTES);
        private static final Future<RecordMetadata> DONE = CompletableFuture.completedFuture(METADATA);
        private final Callback[] pending = new Callback[BATCH];
        private int count;

        @Override
        public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
            pending[count++] = callback;
            if (count == BATCH) {
                flush();
            }
            return DONE;
        }

        @Override
        public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
            return send(record, null);
        }

        @Override
        public void flush() {
            for (int i = 0; i < count; i++) {
                if (pending[i] != null) {
                    pending[i].onCompletion(METADATA, null);
                }
                pending[i] = null;
            }
            count = 0;
        }

        @Override
        public void close() {
            flush();
        }

        @Override
        public void close(Duration timeout) {
            flush();
        }

        @Override
        public void initTransactions() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void beginTransaction() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void sendOffsetsToTransaction(Map<TopicPartition, OffsetAndMetadata> offsets,
                                             ConsumerGroupMetadata groupMetadata) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void commitTransaction() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void abortTransaction() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void registerMetricForSubscription(KafkaMetric metric) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void unregisterMetricFromSubscription(KafkaMetric metric) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<PartitionInfo> partitionsFor(String topic) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Map<MetricName, ? extends Metric> metrics() {
            return Map.of();
        }

        @Override
        public Uuid clientInstanceId(Duration timeout) {
            throw new UnsupportedOperationException();
        }
    }
}
