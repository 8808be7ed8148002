package io.kafkalab.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkalab.consumer.CommitPolicy;
import io.kafkalab.consumer.ConsumerRunner;
import io.kafkalab.consumer.ConsumerRunnerListener;
import io.kafkalab.consumer.ErrorDecision;
import io.kafkalab.consumer.ErrorPolicy;
import io.kafkalab.consumer.Failure;
import io.kafkalab.consumer.FailureKind;
import io.kafkalab.producer.DeliveryGuarantee;
import io.kafkalab.producer.Producers;
import io.kafkalab.testkit.JvmProcess;
import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@KafkaTest(brokers = 3)
class ReassemblingRunnerIT {

    private static final Logger LOG = LoggerFactory.getLogger(ReassemblingRunnerIT.class);
    private static final Duration WAIT = Duration.ofSeconds(120);

    /** {@code delivered <id> <crc32c> <length>} of a reassembled message. */
    static String describe(ConsumerRecord<String, byte[]> r) {
        String id = new String(r.headers().lastHeader(SegmentHeader.MESSAGE_ID).value(), StandardCharsets.UTF_8);
        return "delivered " + id + " " + Segments.crc32c(r.value()) + " " + r.value().length;
    }

    @Test
    void aConsumerKilledMidMessageAndRestartedDeliversEveryCompleteMessageExactlyOnce(KafkaCluster cluster)
            throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("reassembly");
        String group = KafkaTestUtils.uniqueGroup("reassembly");
        cluster.createTopic(topic, 3, 2);

        // three producers interleave 50 messages each, random sizes up to 5 MB (most small), 10 users as keys
        Map<String, String> expected = new ConcurrentHashMap<>();
        List<CompletableFuture<Void>> producers = new ArrayList<>();
        long begin = System.nanoTime();
        for (int p = 0; p < 3; p++) {
            int seed = p;
            producers.add(CompletableFuture.runAsync(() -> produce(cluster, topic, seed, 50, expected)));
        }
        CompletableFuture.allOf(producers.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
        long bytes = expected.values().stream().mapToLong(v -> Long.parseLong(v.split(" ")[1])).sum();
        LOG.info("produced 150 messages, {} MB, in {} ms", bytes / 1_000_000, (System.nanoTime() - begin) / 1_000_000);

        // the first consumer delivers 40 messages, blocks in the 41st and is killed: other messages are half read
        Set<String> first = new HashSet<>();
        try (JvmProcess child = JvmProcess.start(List.of("-Xmx512m", "-Dlog4j2.configurationFile=log4j2-child.xml"),
                ChildReassemblingMain.class, cluster.bootstrapServers(), topic, group, "41")) {
            child.awaitLine("blocked"::equals, WAIT);
            child.kill();
            child.lines().stream().filter(l -> l.startsWith("delivered ")).forEach(l -> assertThat(first.add(l)).isTrue());
        }
        assertThat(first).hasSize(40);

        // a restarted consumer in the same group delivers the rest, and nothing the first one delivered
        List<String> second = new CopyOnWriteArrayList<>();
        ConsumerRunner<String, byte[]> restarted = ConsumerRunner.builder(KafkaTestUtils.consumerConfig(cluster, group),
                        new StringDeserializer(), new ByteArrayDeserializer())
                .topics(topic).reassemble(ReassemblyConfig.ofDefaults()).commitPolicy(CommitPolicy.afterEachRecord())
                .errorPolicy(ErrorPolicy.stop())
                .records(r -> second.add(describe(r))).start();
        try {
            await().atMost(WAIT).until(() -> first.size() + second.size() >= 150);
        } finally {
            restarted.close(WAIT);
        }
        LOG.info("reassembly crash: 40 delivered before SIGKILL, {} after restart, {} suppressed by the watermark",
                second.size(), restarted.metrics().alreadyDelivered());
        assertThat(second).doesNotHaveDuplicates().doesNotContainAnyElementsOf(first);
        Set<String> all = new HashSet<>(first);
        all.addAll(second);
        Set<String> want = new HashSet<>();
        expected.forEach((id, crcAndLength) -> want.add("delivered " + id + " " + crcAndLength));
        assertThat(all).isEqualTo(want);
        assertThat(restarted.failure()).isNull();
    }

    @Test
    void forgedHeadersAndAFloodOfIncompleteMessagesAreReportedAndNeverBlockTheConsumer(KafkaCluster cluster) {
        String topic = KafkaTestUtils.uniqueTopic("flood");
        String group = KafkaTestUtils.uniqueGroup("flood");
        cluster.createTopic(topic, 1, 2);
        try (Producer<String, byte[]> raw = new KafkaProducer<>(cluster.adminConfig(), new StringSerializer(),
                new ByteArraySerializer())) {
            // forged: claims 2^63 - 1 bytes in 2^31 - 1 segments
            RecordHeaders forged = new RecordHeaders();
            new SegmentHeader(1, UUID.randomUUID(), 0, Integer.MAX_VALUE, Long.MAX_VALUE, 0).writeTo(forged);
            raw.send(new ProducerRecord<>(topic, 0, "k", new byte[10], forged));
            // a flood: 100 messages of 100 KB whose last segment never comes
            SegmentingProducer<String> segmenting = new SegmentingProducer<>(new DropLastSegment(raw), 10_000);
            for (int i = 0; i < 100; i++) {
                segmenting.send(topic, "k", new byte[100_000]);
            }
            // and one good message at the end
            new SegmentingProducer<>(raw, 10_000).send(topic, "k", "the end".getBytes(StandardCharsets.UTF_8));
            raw.flush();
        }
        List<Failure> failures = new CopyOnWriteArrayList<>();
        List<String> delivered = new CopyOnWriteArrayList<>();
        long bound = 1_000_000;
        try (ConsumerRunner<String, byte[]> runner = ConsumerRunner.builder(KafkaTestUtils.consumerConfig(cluster, group),
                        new StringDeserializer(), new ByteArrayDeserializer())
                .topics(topic).reassemble(ReassemblyConfig.custom().maxBufferedBytes(bound).build())
                .errorPolicy(ErrorPolicy.skip())
                .listener(new ConsumerRunnerListener() {
                    @Override
                    public void onError(Failure failure, ErrorDecision decision) {
                        failures.add(failure);
                    }
                })
                .records(r -> delivered.add(new String(r.value(), StandardCharsets.UTF_8))).start()) {
            await().atMost(WAIT).until(() -> delivered.contains("the end"));
            await().atMost(WAIT).until(() -> runner.metrics().reassembly().bufferedBytes() <= bound);
            var stats = runner.metrics().reassembly();
            LOG.info("flood: {} drops reported {}, {} bytes buffered at the end", failures.size(), stats.dropped(),
                    stats.bufferedBytes());
            assertThat(failures).allSatisfy(f -> assertThat(f.kind()).isEqualTo(FailureKind.SEGMENT));
            assertThat(failures.get(0).error()).hasMessageContaining("INVALID: count 2147483647 is over the limit");
            assertThat(stats.dropped(DropReason.EVICTED)).as("the buffer holds about 9 incomplete messages of 90 KB")
                    .isGreaterThanOrEqualTo(85);
            assertThat(stats.dropped(DropReason.EVICTED) + stats.incompleteMessages()).isEqualTo(100);
            assertThat(delivered).containsExactly("the end");
        }
    }

    @Test
    void aCorruptMessageIsDeadLetteredAsItsOriginalSegmentsOrStopsTheRunnerBeforeIt(KafkaCluster cluster)
            throws Exception {
        for (boolean deadLetter : new boolean[] {true, false}) {
            String topic = KafkaTestUtils.uniqueTopic("corrupt");
            String group = KafkaTestUtils.uniqueGroup("corrupt");
            cluster.createTopic(topic, 1, 2);
            cluster.createTopic(topic + ".DLT", 1, 2);
            try (Producer<String, byte[]> raw = new KafkaProducer<>(cluster.adminConfig(), new StringSerializer(),
                    new ByteArraySerializer())) {
                raw.send(new ProducerRecord<>(topic, "k", "before".getBytes(StandardCharsets.UTF_8))).get();
                new SegmentingProducer<>(new FlipABit(raw), 1_000).send(topic, "k", new byte[5_000])
                        .get(30, TimeUnit.SECONDS); // offsets 1..5, segment 2 tampered with
                raw.send(new ProducerRecord<>(topic, "k", "after".getBytes(StandardCharsets.UTF_8))).get();
            }
            List<String> delivered = new CopyOnWriteArrayList<>();
            try (Producer<byte[], byte[]> dlt = new KafkaProducer<>(cluster.adminConfig(), new ByteArraySerializer(),
                    new ByteArraySerializer());
                 ConsumerRunner<String, byte[]> runner = ConsumerRunner.builder(
                                 KafkaTestUtils.consumerConfig(cluster, group), new StringDeserializer(),
                                 new ByteArrayDeserializer())
                         .topics(topic).reassemble(ReassemblyConfig.ofDefaults())
                         .commitPolicy(CommitPolicy.afterEachRecord())
                         .errorPolicy(deadLetter ? ErrorPolicy.deadLetter(dlt) : ErrorPolicy.stop())
                         .records(r -> delivered.add(new String(r.value(), StandardCharsets.UTF_8))).start()) {
                if (deadLetter) {
                    await().atMost(WAIT).until(() -> delivered.contains("after"));
                    assertThat(delivered).containsExactly("before", "after");
                    List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestUtils.consume(cluster, topic + ".DLT", 5,
                            WAIT, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                    assertThat(dead).hasSize(5).allSatisfy(d -> {
                        assertThat(header(d, "kafkalab.dlt.failure.kind")).isEqualTo("SEGMENT");
                        assertThat(header(d, "kafkalab.dlt.exception.message")).contains("CORRUPT: CRC32C");
                        assertThat(d.headers().lastHeader(SegmentHeader.MESSAGE_ID)).isNotNull();
                    });
                    assertThat(dead).extracting(d -> header(d, "kafkalab.dlt.original.offset"))
                            .containsExactly("1", "2", "3", "4", "5");
                } else {
                    assertThat(runner.awaitTermination(WAIT)).isTrue();
                    assertThat(runner.failure()).hasMessageContaining("@1: ");
                    assertThat(delivered).containsExactly("before");
                    // never committed past the corrupt message's first segment
                    assertThat(KafkaTestUtils.committedOffsets(cluster, group).values()).containsExactly(1L);
                }
            }
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String key) {
        return new String(r.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }

    /** Sends every segment, but flips a bit in segment 2. */
    private static final class FlipABit extends org.apache.kafka.clients.producer.MockProducer<String, byte[]> {
        private final Producer<String, byte[]> delegate;

        FlipABit(Producer<String, byte[]> delegate) {
            super(true, null, new StringSerializer(), new ByteArraySerializer());
            this.delegate = delegate;
        }

        @Override
        public synchronized java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> send(
                ProducerRecord<String, byte[]> record, org.apache.kafka.clients.producer.Callback callback) {
            if (SegmentHeader.read(record.headers()).index() == 2) {
                byte[] value = record.value().clone();
                value[10] ^= 1;
                record = new ProducerRecord<>(record.topic(), record.partition(), record.key(), value,
                        record.headers());
            }
            return delegate.send(record, callback);
        }
    }

    private static void produce(KafkaCluster cluster, String topic, int seed, int count, Map<String, String> expected) {
        Random random = new Random(seed);
        try (Producer<String, byte[]> producer = Producers.create(DeliveryGuarantee.AT_LEAST_ONCE,
                cluster.adminConfig(), new StringSerializer(), new ByteArraySerializer())) {
            SegmentingProducer<String> segmenting = new SegmentingProducer<>(producer, 256 * 1024);
            for (int i = 0; i < count; i++) {
                double u = random.nextDouble();
                byte[] data = new byte[(int) (5_000_000 * u * u * u)];
                random.nextBytes(data);
                SegmentedSendResult r = segmenting.send(topic, "user-" + random.nextInt(10), data).get(60, TimeUnit.SECONDS);
                expected.put(r.messageId().toString(), Segments.crc32c(data) + " " + data.length);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A producer that swallows the last segment of every message, so no message ever completes. */
    private static final class DropLastSegment extends org.apache.kafka.clients.producer.MockProducer<String, byte[]> {
        private final Producer<String, byte[]> delegate;

        DropLastSegment(Producer<String, byte[]> delegate) {
            super(true, null, new StringSerializer(), new ByteArraySerializer());
            this.delegate = delegate;
        }

        @Override
        public synchronized java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> send(
                ProducerRecord<String, byte[]> record, org.apache.kafka.clients.producer.Callback callback) {
            SegmentHeader h = SegmentHeader.read(record.headers());
            if (h.index() == h.count() - 1) {
                return super.send(record, callback); // "acknowledged", never written
            }
            return delegate.send(record, callback);
        }
    }
}
