package io.kafkalab.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkalab.message.CustomMessage;
import io.kafkalab.message.JsonSerde;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
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
 * {@code CustomMessage} through kafkalab's JSON serde beside plain Jackson on the same object: what the serde's
 * checks (null handling, typed errors, trailing-token refusal) cost.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SerdeBenchmark {

    /** The lab's message: a user id and about 60 characters of Cyrillic text. */
    CustomMessage message;
    byte[] json;
    Serializer<CustomMessage> serializer;
    Deserializer<CustomMessage> deserializer;
    ObjectMapper plain;

    /** Builds the message and both serdes. */
    @Setup
    public void setup() {
        message = new CustomMessage("7", "Сообщение номер 42 от пользователя 7: привет, Kafka! ✓");
        JsonSerde<CustomMessage> serde = CustomMessage.serde();
        serializer = serde.serializer();
        deserializer = serde.deserializer();
        plain = new ObjectMapper();
        json = serializer.serialize("topic", message);
    }

    /** @return kafkalab's serializer output */
    @Benchmark
    public byte[] kafkalabSerialize() {
        return serializer.serialize("topic", message);
    }

    /** @return plain Jackson's output for the same object */
    @Benchmark
    public byte[] jacksonSerialize() throws IOException {
        return plain.writeValueAsBytes(message);
    }

    /** @return kafkalab's deserializer result */
    @Benchmark
    public CustomMessage kafkalabDeserialize() {
        return deserializer.deserialize("topic", json);
    }

    /** @return plain Jackson's result for the same bytes */
    @Benchmark
    public CustomMessage jacksonDeserialize() throws IOException {
        return plain.readValue(json, CustomMessage.class);
    }
}
