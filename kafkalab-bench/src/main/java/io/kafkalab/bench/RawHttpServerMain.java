package io.kafkalab.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kafkalab.producer.DeliveryGuarantee;
import io.kafkalab.producer.Producers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The HTTP comparison's baseline: the smallest server that does what {@code POST /send_message} must do, the
 * JDK's HTTP server, Jackson and a plain {@code KafkaProducer} with the AT_LEAST_ONCE preset's settings, answering
 * 200 once Kafka acknowledged the message, with {@code TCP_NODELAY} as {@code kafkalab http} has it. No validation
 * beyond a missing message, no segments.
 * <pre>RawHttpServerMain bootstrap topic threads</pre>
 * Prints {@code Serving http://127.0.0.1:<port>/send_message} when ready.
 */
public final class RawHttpServerMain {

    private RawHttpServerMain() {
    }

    /** @param args bootstrap servers, topic, threads */
    public static void main(String[] args) throws IOException {
        String topic = args[1];
        Map<String, Object> config = new HashMap<>(Producers.config(DeliveryGuarantee.AT_LEAST_ONCE,
                Map.of("bootstrap.servers", args[0])));
        Producer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                new ByteArraySerializer());
        ObjectMapper json = new ObjectMapper();
        // as kafkalab http does: without it every small answer waits ~40 ms for the client's delayed ACK
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        server.setExecutor(Executors.newFixedThreadPool(Integer.parseInt(args[2])));
        server.createContext("/send_message", exchange -> {
            try (exchange) {
                JsonNode message;
                try (InputStream in = exchange.getRequestBody()) {
                    message = json.readTree(in).get("message");
                }
                if (message == null || !message.isTextual()) {
                    reply(exchange, 400, "{\"error\":\"message missing\"}");
                    return;
                }
                producer.send(new ProducerRecord<>(topic, message.textValue().getBytes(StandardCharsets.UTF_8)))
                        .get(10, TimeUnit.SECONDS);
                reply(exchange, 200, "{\"status\":\"sent\"}");
            } catch (Exception e) {
                reply(exchange, 503, "{\"error\":\"unavailable\"}");
            }
        });
        server.start();
        System.out.println("Serving http://127.0.0.1:" + server.getAddress().getPort() + "/send_message");
        System.out.flush();
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
