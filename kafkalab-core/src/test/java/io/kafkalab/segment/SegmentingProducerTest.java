package io.kafkalab.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class SegmentingProducerTest {

    @Test
    void aFailureSaysHowManyOfHowManySegmentsWereAcknowledgedAndWhy() throws Exception {
        MockProducer<String, byte[]> mock = new MockProducer<>(false, null, new StringSerializer(),
                new ByteArraySerializer());
        SegmentingProducer<String> producer = new SegmentingProducer<>(mock, 4);
        CompletableFuture<SegmentedSendResult> sent = producer.send("t", "k", new byte[18]); // 5 segments
        assertThat(mock.history()).hasSize(5);
        mock.completeNext();
        mock.completeNext();
        TimeoutException cause = new TimeoutException("delivery timed out");
        mock.errorNext(cause);
        mock.completeNext();
        assertThat(sent).isNotDone();
        mock.completeNext();
        assertThatThrownBy(sent::get).isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(SegmentedSendException.class)
                .hasMessageContaining(": 4 of 5 segments acknowledged; " + cause)
                .satisfies(e -> assertThat(((SegmentedSendException) e).acknowledged()).isEqualTo(4));
    }

    @Test
    void everySegmentCarriesTheHeadersAndTheKeyAndNothingIsAddedToThePayload() throws Exception {
        MockProducer<String, byte[]> mock = new MockProducer<>(true, null, new StringSerializer(),
                new ByteArraySerializer());
        byte[] text = "Привет, мир!".getBytes(StandardCharsets.UTF_8); // 21 bytes
        SegmentedSendResult result = new SegmentingProducer<>(mock, 8).sendText("t", "user-1", "Привет, мир!").get();
        assertThat(result.segmentCount()).isEqualTo(3);
        assertThat(result.totalSize()).isEqualTo(text.length);
        int total = 0;
        for (ProducerRecord<String, byte[]> r : mock.history()) {
            assertThat(r.key()).isEqualTo("user-1");
            SegmentHeader h = SegmentHeader.read(r.headers());
            assertThat(h.messageId()).isEqualTo(result.messageId());
            assertThat(h.count()).isEqualTo(3);
            assertThat(h.crc32c()).isEqualTo(Segments.crc32c(text));
            total += r.value().length;
        }
        assertThat(total).isEqualTo(text.length);
        assertThatThrownBy(() -> new SegmentingProducer<>(mock, 3)).hasMessage("maxSegmentBytes must be >= 4, but was 3");
    }
}
