package io.kafkalab.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kafkalab.producer.DeliveryGuarantee;
import io.kafkalab.producer.Producers;
import io.kafkalab.segment.SegmentedSendResult;
import io.kafkalab.segment.SegmentingProducer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's {@code POST /send_message} on the JDK's HTTP server: validates the request, sends the message as
 * segments with the AT_LEAST_ONCE preset, and answers only once every segment is acknowledged. Every error is
 * JSON {@code {"error": "..."}}, never a stack trace or an internal message.
 */
final class SendMessageServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SendMessageServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Settings.
     *
     * @param kafkaConfig    more producer settings (security); may be empty
     * @param authToken      the bearer token every request but {@code GET /health} must present, or null for none
     * @param requestTimeout how long a client may take to send a whole request (see {@link HttpLimits})
     */
    record Settings(String bind, int port, String bootstrapServers, String topic, int segmentBytes, int maxBodyBytes,
                    Duration sendTimeout, int threads, Map<String, Object> kafkaConfig, String authToken,
                    Duration requestTimeout) {

        Settings {
            kafkaConfig = Map.copyOf(kafkaConfig);
            if (authToken != null && authToken.isBlank()) {
                throw new IllegalArgumentException("the HTTP auth token must not be blank");
            }
        }

        /** Plaintext Kafka, no token, the default request timeout. */
        Settings(String bind, int port, String bootstrapServers, String topic, int segmentBytes, int maxBodyBytes,
                 Duration sendTimeout, int threads) {
            this(bind, port, bootstrapServers, topic, segmentBytes, maxBodyBytes, sendTimeout, threads, Map.of(), null,
                    HttpLimits.DEFAULT_REQUEST_TIMEOUT);
        }

        @Override
        public String toString() {
            // the Kafka settings may hold a password, the token is a secret
            return "Settings[bind=" + bind + ", port=" + port + ", topic=" + topic + ", token=" + (authToken != null)
                    + "]";
        }
    }

    private final Settings settings;
    private final Duration requestTimeout;
    private final byte[] tokenDigest;
    private final HttpServer server;
    private final ExecutorService executor;
    private final Producer<String, byte[]> producer;
    private final SegmentingProducer<String> segmenting;
    /** Requests being served; close waits for them. Guarded by itself. */
    private final int[] inFlight = {0};
    private volatile boolean closing;

    SendMessageServer(Settings settings) throws IOException {
        this.settings = settings;
        Map<String, Object> config = new HashMap<>(settings.kafkaConfig());
        config.put("bootstrap.servers", settings.bootstrapServers());
        // bound every wait by the send timeout: metadata (max.block.ms), each request, the whole delivery
        long timeout = settings.sendTimeout().toMillis();
        config.put("max.block.ms", timeout);
        config.put("request.timeout.ms", (int) timeout);
        config.put("delivery.timeout.ms", (int) timeout + 10 + 1);
        this.producer = Producers.create(DeliveryGuarantee.AT_LEAST_ONCE, config, new StringSerializer(),
                new ByteArraySerializer());
        this.segmenting = new SegmentingProducer<>(producer, settings.segmentBytes());
        this.tokenDigest = settings.authToken() == null ? null : sha256(settings.authToken());
        this.requestTimeout = HttpLimits.applyRequestTimeout(settings.requestTimeout());
        HttpLimits.applyNoDelay();
        this.server = HttpServer.create(new InetSocketAddress(settings.bind(), settings.port()), 64);
        this.executor = Executors.newFixedThreadPool(settings.threads(), r -> {
            Thread t = new Thread(r, "kafkalab-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    /** Starts serving; returns at once. */
    SendMessageServer start() {
        server.start();
        return this;
    }

    /** @return whether {@link #close()} began: new requests get 503 */
    boolean closing() {
        return closing;
    }

    /** @return requests being served now */
    int inFlight() {
        synchronized (inFlight) {
            return inFlight[0];
        }
    }

    /** @return how long a client may take to send a request before the server closes the connection */
    Duration requestTimeout() {
        return requestTimeout;
    }

    /** @return the port actually bound (useful with port 0) */
    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        synchronized (inFlight) {
            inFlight[0]++;
        }
        // closed in finally, not by try-with-resources: that would close it before the catch could answer 500
        try {
            if (closing) {
                reply(exchange, 503, error("the server is stopping"));
                return;
            }
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (path.equals("/health")) {
                // open even with a token, for load balancers and probes; it then tells nothing but "up"
                if (!method.equals("GET")) {
                    exchange.getResponseHeaders().add("Allow", "GET");
                    reply(exchange, 405, error("method " + method + " not allowed; use GET"));
                } else if (tokenDigest != null) {
                    reply(exchange, 200, JSON.createObjectNode().put("status", "up"));
                } else {
                    reply(exchange, 200, JSON.createObjectNode().put("status", "up").put("topic", settings.topic()));
                }
                return;
            }
            if (tokenDigest != null && !authorized(exchange)) {
                return;
            }
            if (!path.equals("/send_message")) {
                reply(exchange, 404, error("not found: " + path));
                return;
            }
            if (!method.equals("POST")) {
                exchange.getResponseHeaders().add("Allow", "POST");
                reply(exchange, 405, error("method " + method + " not allowed; use POST"));
                return;
            }
            sendMessage(exchange);
        } catch (RuntimeException e) {
            LOG.error("request failed", e);
            try {
                reply(exchange, 500, error("internal error"));
            } catch (IOException | RuntimeException ignored) {
                // the response may have started already
            }
        } finally {
            exchange.close();
            synchronized (inFlight) {
                inFlight[0]--;
                inFlight.notifyAll();
            }
        }
    }

    private void sendMessage(HttpExchange exchange) throws IOException {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).split(";", 2)[0].trim().equals("application/json")) {
            reply(exchange, 415, error("Content-Type must be application/json"));
            return;
        }
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > settings.maxBodyBytes()) {
            reply(exchange, 413, error("request body over " + settings.maxBodyBytes() + " bytes"));
            return;
        }
        byte[] body = readAtMost(exchange.getRequestBody(), settings.maxBodyBytes());
        if (body == null) {
            reply(exchange, 413, error("request body over " + settings.maxBodyBytes() + " bytes"));
            return;
        }
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (IOException e) {
            reply(exchange, 400, error("request body is not valid JSON"));
            return;
        }
        JsonNode message = json == null ? null : json.get("message");
        if (message == null || message.isNull()) {
            reply(exchange, 400, error("field 'message' is missing"));
            return;
        }
        if (!message.isTextual()) {
            reply(exchange, 400, error("field 'message' must be a string"));
            return;
        }
        if (message.asText().isBlank()) {
            reply(exchange, 400, error("field 'message' is blank"));
            return;
        }
        try {
            SegmentedSendResult sent = segmenting.sendText(settings.topic(), null, message.asText())
                    .get(settings.sendTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            reply(exchange, 200, JSON.createObjectNode().put("status", "sent")
                    .put("messageId", sent.messageId().toString()).put("segments", sent.segmentCount())
                    .put("partition", sent.partition()).put("firstOffset", sent.firstOffset())
                    .put("lastOffset", sent.lastOffset()));
        } catch (TimeoutException e) {
            reply(exchange, 503, error("Kafka did not acknowledge the message within "
                    + settings.sendTimeout().toMillis() + " ms"));
        } catch (ExecutionException e) {
            LOG.warn("send failed: {}", e.getCause().toString());
            reply(exchange, 503, error("Kafka is unavailable: the message was not sent"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reply(exchange, 503, error("the server is stopping"));
        }
    }

    /**
     * Checks {@code Authorization: Bearer <token>} in constant time (both sides hashed, then
     * {@link MessageDigest#isEqual}), and answers 401 with {@code WWW-Authenticate: Bearer} when it fails.
     */
    private boolean authorized(HttpExchange exchange) throws IOException {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        boolean bearer = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7);
        if (bearer && MessageDigest.isEqual(sha256(header.substring(7).trim()), tokenDigest)) {
            return true;
        }
        exchange.getResponseHeaders().set("WWW-Authenticate", bearer
                ? "Bearer realm=\"kafkalab\", error=\"invalid_token\"" : "Bearer realm=\"kafkalab\"");
        reply(exchange, 401, error(bearer ? "invalid bearer token" : "missing bearer token"));
        return false;
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Reads the body, or returns null when it is longer than {@code max} (reading at most max + 1 bytes). */
    private static byte[] readAtMost(InputStream in, int max) throws IOException {
        byte[] bytes = in.readNBytes(max + 1);
        return bytes.length > max ? null : bytes;
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("error", message);
    }

    private static void reply(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /**
     * Refuses new requests (503), lets requests in flight finish (up to the send timeout plus a second), then
     * stops the server and closes the producer. (The JDK 17 server's own {@code stop(delay)} waits the whole delay
     * even when nothing is in flight, so the waiting is done here.)
     */
    @Override
    public void close() {
        closing = true;
        long deadline = System.nanoTime() + settings.sendTimeout().plusSeconds(1).toNanos();
        synchronized (inFlight) {
            while (inFlight[0] > 0 && System.nanoTime() < deadline) {
                try {
                    inFlight.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        server.stop(0);
        executor.shutdown();
        try {
            executor.awaitTermination(settings.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Producers.close(producer, Duration.ofSeconds(5));
    }
}
