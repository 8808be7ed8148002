package io.kafkalab.segment;

import static org.assertj.core.api.Assertions.assertThat;

import io.kafkalab.producer.DeliveryGuarantee;
import io.kafkalab.producer.Producers;
import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

@KafkaTest(brokers = 3)
class SegmentingProducerIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void sendsCyrillicTextAsReadableSegmentsOfOneKeyAndPartition(KafkaCluster cluster) throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("segments");
        cluster.createTopic(topic, 3, 2);
        String text = "Съешь же ещё этих мягких французских булок, да выпей чаю. ".repeat(100);
        SegmentedSendResult result;
        try (Producer<String, byte[]> producer = Producers.create(DeliveryGuarantee.AT_LEAST_ONCE,
                cluster.adminConfig(), new StringSerializer(), new ByteArraySerializer())) {
            result = new SegmentingProducer<>(producer, 100).sendText(topic, "user-3", text).get(30, TimeUnit.SECONDS);
        }
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        assertThat(result.totalSize()).isEqualTo(bytes);
        assertThat(result.segmentCount()).isGreaterThanOrEqualTo(bytes / 100);
        assertThat(result.lastOffset() - result.firstOffset() + 1).isEqualTo(result.segmentCount());

        List<ConsumerRecord<String, String>> raw = KafkaTestUtils.consume(cluster, topic, result.segmentCount(), WAIT);
        assertThat(raw).hasSize(result.segmentCount())
                .allSatisfy(r -> {
                    assertThat(r.key()).isEqualTo("user-3");
                    assertThat(r.partition()).isEqualTo(result.partition());
                    assertThat(r.headers().lastHeader(SegmentHeader.MESSAGE_ID).value())
                            .isEqualTo(result.messageId().toString().getBytes(StandardCharsets.UTF_8));
                });
        // what a plain consumer (kcat, console consumer) shows: valid text, piece by piece
        List<ConsumerRecord<byte[], byte[]>> bytesRaw = KafkaTestUtils.consume(cluster, topic, result.segmentCount(),
                WAIT, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        for (ConsumerRecord<byte[], byte[]> r : bytesRaw) {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(r.value()));
        }
        StringBuilder glued = new StringBuilder();
        raw.stream().sorted(java.util.Comparator.comparingLong(ConsumerRecord::offset)).forEach(r -> glued.append(r.value()));
        assertThat(glued.toString()).isEqualTo(text);
    }

    @Test
    void aNullKeyKeepsEverySegmentInOnePartition(KafkaCluster cluster) throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("nullkey");
        cluster.createTopic(topic, 3, 2);
        try (Producer<String, byte[]> producer = Producers.create(DeliveryGuarantee.AT_LEAST_ONCE,
                cluster.adminConfig(), new StringSerializer(), new ByteArraySerializer())) {
            SegmentedSendResult r = new SegmentingProducer<>(producer, 1000).send(topic, null, new byte[50_000])
                    .get(30, TimeUnit.SECONDS);
            List<ConsumerRecord<String, String>> raw = KafkaTestUtils.consume(cluster, topic, 50, WAIT);
            assertThat(raw).hasSize(50).allSatisfy(rec -> assertThat(rec.partition()).isEqualTo(r.partition()));
        }
    }

    @Test
    void insideATransactionAllSegmentsCommitOrAbortTogether(KafkaCluster cluster) throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("tx-segments");
        cluster.createTopic(topic, 1, 3);
        Map<String, Object> config = new HashMap<>(cluster.adminConfig());
        config.put("transactional.id", KafkaTestUtils.uniqueName("tx"));
        try (Producer<String, byte[]> producer = Producers.create(DeliveryGuarantee.EXACTLY_ONCE, config,
                new StringSerializer(), new ByteArraySerializer())) {
            SegmentingProducer<String> segmenting = new SegmentingProducer<>(producer, 1000);
            producer.beginTransaction();
            segmenting.send(topic, "k", new byte[10_000]).get(30, TimeUnit.SECONDS);
            producer.abortTransaction();
            producer.beginTransaction();
            SegmentedSendResult committed = segmenting.send(topic, "k", new byte[5_000]).get(30, TimeUnit.SECONDS);
            producer.commitTransaction();
            assertThat(committed.segmentCount()).isEqualTo(5);
        }
        List<ConsumerRecord<String, String>> visible = KafkaTestUtils.consume(cluster, topic, 15, Duration.ofSeconds(5),
                Map.of("isolation.level", "read_committed"), new StringDeserializer(), new StringDeserializer());
        assertThat(visible).as("the 10 aborted segments are invisible, the 5 committed ones all there").hasSize(5);
    }
}
