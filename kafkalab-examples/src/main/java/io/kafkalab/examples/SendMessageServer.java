package io.kafkalab.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kafkalab.producer.DeliveryGuarantee;
import io.kafkalab.producer.Producers;
import io.kafkalab.segment.SegmentHeader;
import io.kafkalab.segment.SegmentedSendResult;
import io.kafkalab.segment.SegmentingProducer;
import io.kafkalab.segment.Segments;
import java.io.IOException;
import java.io.InputStream;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's {@code POST /send_message} on the JDK's HTTP server: validates the request, sends the message as
 * segments with the AT_LEAST_ONCE preset, and answers once every segment is acknowledged, from the producer's
 * callback: no server thread waits for Kafka, so throughput is not threads / latency. Beyond a bound on requests
 * and bytes in flight it answers {@code 429} with {@code Retry-After}; an {@code Idempotency-Key} makes a retry get
 * the first answer instead of sending again; {@code ?async=true} answers {@code 202} once the message is handed to
 * the producer. A topic the server's Kafka user may not write is {@code 403}. {@code GET /health} is readiness (503 while no broker answers), {@code GET /health/live} liveness.
 * Every error is JSON {@code {"error": "..."}}, never a stack trace or an internal message.
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
                    Duration requestTimeout, int maxInFlightRequests, long maxInFlightBytes,
                    Duration idempotencyWindow, Integer lingerMs) {

        /** Requests in flight (sent, not yet acknowledged) before 429. */
        static final int DEFAULT_MAX_IN_FLIGHT_REQUESTS = 4096;
        /** Message bytes in flight before 429. */
        static final long DEFAULT_MAX_IN_FLIGHT_BYTES = 64L << 20;
        /**
         * The producer's linger.ms unless {@code --linger-ms} says otherwise: every answer waits for its batch, so a
         * request costs at least the linger; at 32 connections a 10 ms linger (the preset's earlier setting) capped the server near 2 800
         * requests/s (p50 11.7 ms), 1 ms gave 7 000 (p50 4.2 ms) in {@code ./kafkalab bench http}, and under
         * load the batches still fill while earlier ones are in flight.
         */
        static final int DEFAULT_LINGER_MS = 1;
        /** How long an Idempotency-Key is remembered. */
        static final Duration DEFAULT_IDEMPOTENCY_WINDOW = Duration.ofMinutes(5);

        Settings {
            kafkaConfig = Map.copyOf(kafkaConfig);
            if (authToken != null && authToken.isBlank()) {
                throw new IllegalArgumentException("the HTTP auth token must not be blank");
            }
            if (maxInFlightRequests < 1 || maxInFlightBytes < 1) {
                throw new IllegalArgumentException("the in-flight bounds must be >= 1");
            }
        }

        /** The given security and token, the default bounds and linger. */
        Settings(String bind, int port, String bootstrapServers, String topic, int segmentBytes, int maxBodyBytes,
                 Duration sendTimeout, int threads, Map<String, Object> kafkaConfig, String authToken,
                 Duration requestTimeout) {
            this(bind, port, bootstrapServers, topic, segmentBytes, maxBodyBytes, sendTimeout, threads, kafkaConfig,
                    authToken, requestTimeout, DEFAULT_MAX_IN_FLIGHT_REQUESTS, DEFAULT_MAX_IN_FLIGHT_BYTES,
                    DEFAULT_IDEMPOTENCY_WINDOW, null);
        }

        /** Plaintext Kafka, no token, the default request timeout. */
        Settings(String bind, int port, String bootstrapServers, String topic, int segmentBytes, int maxBodyBytes,
                 Duration sendTimeout, int threads) {
            this(bind, port, bootstrapServers, topic, segmentBytes, maxBodyBytes, sendTimeout, threads, Map.of(), null,
                    HttpLimits.DEFAULT_REQUEST_TIMEOUT);
        }

        /** @return these settings with other in-flight bounds */
        Settings withInFlight(int requests, long bytes) {
            return new Settings(bind, port, bootstrapServers, topic, segmentBytes, maxBodyBytes, sendTimeout, threads,
                    kafkaConfig, authToken, requestTimeout, requests, bytes, idempotencyWindow, lingerMs);
        }

        @Override
        public String toString() {
            // the Kafka settings may hold a password, the token is a secret
            return "Settings[bind=" + bind + ", port=" + port + ", topic=" + topic + ", token=" + (authToken != null)
                    + "]";
        }
    }

    /** An answer: status, JSON body, and a Retry-After in seconds or null. */
    record Answer(int status, ObjectNode body, String retryAfter) {
        Answer(int status, ObjectNode body) {
            this(status, body, null);
        }
    }

    /** A validated request to send. */
    private record Outgoing(String key, String text, List<Header> headers, int bytes) {
    }

    /** Thrown by validation: the answer to give instead. */
    private static final class Refused extends Exception {
        final transient Answer answer;

        Refused(int status, String message) {
            super(message, null, false, false);
            this.answer = new Answer(status, error(message));
        }
    }

    private static final int MAX_IDEMPOTENCY_KEY_LENGTH = 255;
    /** Messages in one {@code POST /send_messages}. */
    static final int MAX_BATCH = 1000;
    /** The routes, as {@code kafkalab.http.requests} tags them (any other path is {@code other}). */
    private static final java.util.Set<String> ROUTES = java.util.Set.of("/send_message", "/send_messages", "/health",
            "/health/live", "/openapi.json", "/metrics");
    /** The content type of {@code GET /metrics}: Prometheus text format 0.0.4. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    /** The OpenAPI document of this API, served at {@code GET /openapi.json}. */
    private static final ObjectNode OPENAPI = loadOpenApi();
    private static final int IDEMPOTENCY_KEYS = 100_000;
    private static final Duration READINESS_CACHE = Duration.ofSeconds(1);

    private final Settings settings;
    private final Duration requestTimeout;
    private final byte[] tokenDigest;
    private final HttpServer server;
    private final ExecutorService executor;
    private final Producer<String, byte[]> producer;
    private final SegmentingProducer<String> segmenting;
    private final Admin admin;
    private final IdempotencyStore<Answer> idempotency;
    /** What {@code GET /metrics} shows: requests by route and status, the producer's own metrics, sends pending. */
    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final KafkaClientMetrics producerMetrics;
    /** Exchanges not yet answered and closed; close waits for them. Guarded by itself. */
    private final int[] inFlight = {0};
    /** Requests and bytes handed to the producer and not yet acknowledged (the 429 bound). Guarded by itself. */
    private final long[] sending = {0, 0};
    private final Object readinessLock = new Object();
    /** When readiness was last probed; 0 before the first probe. */
    private volatile long readinessCheckedNanos;
    private volatile boolean ready;
    private volatile boolean closing;

    SendMessageServer(Settings settings) throws IOException {
        this.settings = settings;
        Map<String, Object> config = new HashMap<>(settings.kafkaConfig());
        config.put("bootstrap.servers", settings.bootstrapServers());
        // bound every wait by the send timeout: metadata (max.block.ms), each request, the whole delivery
        long timeout = settings.sendTimeout().toMillis();
        config.put("max.block.ms", timeout);
        config.put("request.timeout.ms", (int) timeout);
        int linger = settings.lingerMs() != null ? settings.lingerMs() : Settings.DEFAULT_LINGER_MS;
        config.put("linger.ms", linger);
        config.put("delivery.timeout.ms", (int) timeout + linger + 1);
        this.producer = Producers.create(DeliveryGuarantee.AT_LEAST_ONCE, config, new StringSerializer(),
                new ByteArraySerializer());
        this.segmenting = new SegmentingProducer<>(producer, settings.segmentBytes());
        this.producerMetrics = new KafkaClientMetrics(producer);
        producerMetrics.bindTo(meters);
        io.micrometer.core.instrument.Gauge.builder("kafkalab.http.sending", this, SendMessageServer::sending)
                .description("requests handed to the producer and not yet acknowledged").baseUnit("requests")
                .register(meters);
        Map<String, Object> adminConfig = new HashMap<>(settings.kafkaConfig());
        adminConfig.put("bootstrap.servers", settings.bootstrapServers());
        adminConfig.put("request.timeout.ms", 2000);
        adminConfig.put("default.api.timeout.ms", 2000);
        adminConfig.put("client.id", "kafkalab-http-readiness");
        this.admin = Admin.create(adminConfig);
        this.idempotency = new IdempotencyStore<>(IDEMPOTENCY_KEYS, settings.idempotencyWindow(), Clock.systemUTC());
        this.tokenDigest = settings.authToken() == null ? null : sha256(settings.authToken());
        this.requestTimeout = HttpLimits.applyRequestTimeout(settings.requestTimeout());
        HttpLimits.applyNoDelay();
        HttpLimits.applyKeepAlive();
        this.server = HttpServer.create(new InetSocketAddress(settings.bind(), settings.port()), 256);
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

    /** @return requests handed to the producer and not yet acknowledged */
    long sending() {
        synchronized (sending) {
            return sending[0];
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        synchronized (inFlight) {
            inFlight[0]++;
        }
        boolean later = false;
        // finished in finally, not by try-with-resources: that would close it before the catch could answer 500
        try {
            if (closing) {
                reply(exchange, new Answer(503, error("the server is stopping")));
                return;
            }
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (path.equals("/health") || path.equals("/health/live")) {
                // open even with a token, for load balancers and probes; it then tells nothing but the status
                if (!method.equals("GET")) {
                    exchange.getResponseHeaders().add("Allow", "GET");
                    reply(exchange, new Answer(405, error("method " + method + " not allowed; use GET")));
                } else {
                    reply(exchange, health(path.equals("/health")));
                }
                return;
            }
            if (tokenDigest != null && !authorized(exchange)) {
                return;
            }
            if (path.equals("/metrics")) {
                if (!method.equals("GET")) {
                    exchange.getResponseHeaders().add("Allow", "GET");
                    reply(exchange, new Answer(405, error("method " + method + " not allowed; use GET")));
                } else {
                    count(exchange, 200); // before the scrape, so that it shows itself
                    byte[] text = meters.scrape().getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", PROMETHEUS_TEXT);
                    exchange.sendResponseHeaders(200, text.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(text);
                    }
                }
                return;
            }
            if (path.equals("/openapi.json")) {
                if (!method.equals("GET")) {
                    exchange.getResponseHeaders().add("Allow", "GET");
                    reply(exchange, new Answer(405, error("method " + method + " not allowed; use GET")));
                } else {
                    reply(exchange, new Answer(200, OPENAPI.deepCopy()));
                }
                return;
            }
            if (!path.equals("/send_message") && !path.equals("/send_messages")) {
                reply(exchange, new Answer(404, error("not found: " + path)));
                return;
            }
            if (!method.equals("POST")) {
                exchange.getResponseHeaders().add("Allow", "POST");
                reply(exchange, new Answer(405, error("method " + method + " not allowed; use POST")));
                return;
            }
            later = sendMessage(exchange, path.equals("/send_messages"));
        } catch (RuntimeException e) {
            LOG.error("request failed", e);
            try {
                reply(exchange, new Answer(500, error("internal error")));
            } catch (IOException | RuntimeException ignored) {
                // the response may have started already
            }
        } finally {
            if (!later) {
                finish(exchange);
            }
        }
    }

    private void finish(HttpExchange exchange) {
        exchange.close();
        synchronized (inFlight) {
            inFlight[0]--;
            inFlight.notifyAll();
        }
    }

    /** Readiness ({@code ready} true): can a broker be reached, checked at most once a second; else liveness. */
    private Answer health(boolean readiness) {
        boolean up = !readiness || ready();
        ObjectNode body = JSON.createObjectNode().put("status", up ? "up" : "down");
        if (tokenDigest == null) {
            body.put("topic", settings.topic());
            if (!up) {
                body.put("error", "no Kafka broker answers at " + settings.bootstrapServers());
            }
        }
        return new Answer(up ? 200 : 503, body);
    }

    private boolean fresh() {
        long checked = readinessCheckedNanos;
        return checked != 0 && System.nanoTime() - checked < READINESS_CACHE.toNanos();
    }

    private boolean ready() {
        if (fresh()) {
            return ready;
        }
        synchronized (readinessLock) {
            if (fresh()) {
                return ready;
            }
            boolean r;
            try {
                r = !admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000)).nodes()
                        .get(3, TimeUnit.SECONDS).isEmpty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                r = false;
            } catch (Exception e) {
                LOG.debug("readiness: {}", e.toString());
                r = false;
            }
            ready = r;
            long now = System.nanoTime();
            readinessCheckedNanos = now == 0 ? 1 : now;
            return r;
        }
    }

    /**
     * {@code POST /send_message} ({@code batch} false) or {@code POST /send_messages} (an array of the same objects,
     * each answered in the results).
     *
     * @return true when the answer comes later (from a callback), false when it was given already
     */
    private boolean sendMessage(HttpExchange exchange, boolean batch) throws IOException {
        byte[] body;
        List<Object> items; // an Outgoing to send, or a Refused answer for an item that is not valid
        try {
            body = readBody(exchange);
            items = batch ? parseBatch(body) : List.of(parseItem(readJson(body)));
        } catch (Refused r) {
            reply(exchange, r.answer);
            return false;
        }
        String query = exchange.getRequestURI().getRawQuery();
        boolean async = query != null && List.of(query.split("&")).contains("async=true");
        String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        CompletableFuture<Answer> answer;
        if (key != null) {
            key = key.trim();
            if (key.isEmpty() || key.length() > MAX_IDEMPOTENCY_KEY_LENGTH) {
                reply(exchange, new Answer(400, error("Idempotency-Key must be 1 to " + MAX_IDEMPOTENCY_KEY_LENGTH
                        + " characters")));
                return false;
            }
            IdempotencyStore.Claim<Answer> claim = idempotency.claim(key, requestDigest(async, batch, body));
            if (claim.conflict()) {
                reply(exchange, new Answer(422, error("Idempotency-Key " + key + " was used for another request")));
                return false;
            }
            answer = claim.answer();
            if (!claim.first()) {
                answerLater(exchange, answer, true);
                return true;
            }
        } else {
            answer = new CompletableFuture<>();
        }
        if (!batch) {
            String k = key;
            send((Outgoing) items.get(0), async).thenAccept(a -> {
                if (k != null && a.status() == 429) {
                    idempotency.forget(k, answer); // nothing was sent: a retry may send
                }
                answer.complete(a);
            });
        } else {
            List<CompletableFuture<Answer>> results = new ArrayList<>(items.size());
            for (Object item : items) {
                results.add(item instanceof Outgoing o ? send(o, async)
                        : CompletableFuture.completedFuture(((Refused) item).answer));
            }
            CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenRun(() -> {
                ArrayNode list = JSON.createArrayNode();
                int ok = 0;
                for (CompletableFuture<Answer> f : results) {
                    Answer a = f.join();
                    ok += a.status() < 300 ? 1 : 0;
                    list.add(JSON.createObjectNode().put("code", a.status()).setAll(a.body()));
                }
                ObjectNode out = JSON.createObjectNode().put("sent", ok).put("failed", results.size() - ok);
                out.set("results", list);
                answer.complete(new Answer(200, out));
            });
        }
        answerLater(exchange, answer, false);
        return true;
    }

    /** Admits and sends one message; the answer never fails (errors are answers: 403, 429, 503). */
    private CompletableFuture<Answer> send(Outgoing out, boolean async) {
        if (!admit(out.bytes())) {
            return CompletableFuture.completedFuture(
                    new Answer(429, error("too many requests in flight; retry later"), "1"));
        }
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        send(out, async, answer);
        return answer;
    }

    private void send(Outgoing out, boolean async, CompletableFuture<Answer> answer) {
        UUID id = UUID.randomUUID();
        CompletableFuture<SegmentedSendResult> sent;
        try {
            sent = segmenting.sendText(settings.topic(), out.key(), out.text(), out.headers(), id);
        } catch (RuntimeException e) {
            release(out.bytes());
            LOG.warn("send failed: {}", e.toString());
            answer.complete(new Answer(503, error("Kafka is unavailable: the message was not sent")));
            return;
        }
        if (async) {
            answer.complete(new Answer(202, JSON.createObjectNode().put("status", "accepted")
                    .put("messageId", id.toString())));
        }
        sent.orTimeout(settings.sendTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS).whenComplete((r, e) -> {
            release(out.bytes());
            if (e != null) {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                if (async) {
                    LOG.warn("message {}, accepted with 202, was not sent: {}", id, cause.toString());
                }
                answer.complete(cause instanceof TimeoutException
                        ? new Answer(503, error("Kafka did not acknowledge the message within "
                                + settings.sendTimeout().toMillis() + " ms"))
                        : denied(cause) ? new Answer(403, error("not authorized to WRITE topic '" + settings.topic()
                                + "': the message was not sent"))
                        : new Answer(503, error("Kafka is unavailable: the message was not sent")));
                if (!(cause instanceof TimeoutException)) {
                    LOG.warn("send failed: {}", cause.toString());
                }
            } else {
                answer.complete(new Answer(200, JSON.createObjectNode().put("status", "sent")
                        .put("messageId", r.messageId().toString()).put("segments", r.segmentCount())
                        .put("partition", r.partition()).put("firstOffset", r.firstOffset())
                        .put("lastOffset", r.lastOffset())));
            }
        });
    }

    /** @return whether the cluster's authorizer refused the send (retrying cannot help: 403, not 503) */
    private static boolean denied(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof io.kafkalab.NotAuthorizedException
                    || t instanceof org.apache.kafka.common.errors.AuthorizationException) {
                return true;
            }
        }
        return false;
    }

    /** Answers on a server thread (never on the producer's I/O thread: a slow client must not hold it). */
    private void answerLater(HttpExchange exchange, CompletableFuture<Answer> answer, boolean replay) {
        answer.whenCompleteAsync((a, e) -> {
            try {
                reply(exchange, a != null ? a : new Answer(500, error("internal error")));
            } catch (IOException | RuntimeException ex) {
                LOG.debug("could not answer{}: {}", replay ? " a replayed request" : "", ex.toString());
            } finally {
                finish(exchange);
            }
        }, executor);
    }

    private boolean admit(int bytes) {
        synchronized (sending) {
            if (sending[0] >= settings.maxInFlightRequests()
                    || sending[0] > 0 && sending[1] + bytes > settings.maxInFlightBytes()) {
                return false;
            }
            sending[0]++;
            sending[1] += bytes;
            return true;
        }
    }

    private void release(int bytes) {
        synchronized (sending) {
            sending[0]--;
            sending[1] -= bytes;
        }
    }

    private byte[] readBody(HttpExchange exchange) throws IOException, Refused {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).split(";", 2)[0].trim().equals("application/json")) {
            throw new Refused(415, "Content-Type must be application/json");
        }
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > settings.maxBodyBytes()) {
            throw new Refused(413, "request body over " + settings.maxBodyBytes() + " bytes");
        }
        byte[] body = readAtMost(exchange.getRequestBody(), settings.maxBodyBytes());
        if (body == null) {
            throw new Refused(413, "request body over " + settings.maxBodyBytes() + " bytes");
        }
        return body;
    }

    private static JsonNode readJson(byte[] body) throws Refused {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new Refused(400, "request body is not valid JSON");
        }
    }

    /** Validates an array of message objects: the array as a whole (else a Refused), each item on its own. */
    private static List<Object> parseBatch(byte[] body) throws Refused {
        JsonNode json = readJson(body);
        if (json == null || !json.isArray() || json.isEmpty()) {
            throw new Refused(400, "the body must be a non-empty array of messages");
        }
        if (json.size() > MAX_BATCH) {
            throw new Refused(400, "at most " + MAX_BATCH + " messages per request, not " + json.size());
        }
        List<Object> items = new ArrayList<>(json.size());
        for (JsonNode item : json) {
            try {
                items.add(parseItem(item));
            } catch (Refused r) {
                items.add(r);
            }
        }
        return items;
    }

    /** Validates {@code {"message": "...", "key": "...", "headers": {"name": "value"}}}. */
    private static Outgoing parseItem(JsonNode json) throws Refused {
        JsonNode message = json == null ? null : json.get("message");
        if (message == null || message.isNull()) {
            throw new Refused(400, "field 'message' is missing");
        }
        if (!message.isTextual()) {
            throw new Refused(400, "field 'message' must be a string");
        }
        if (message.asText().isBlank()) {
            throw new Refused(400, "field 'message' is blank");
        }
        JsonNode key = json.get("key");
        if (key != null && !key.isNull() && !key.isTextual()) {
            throw new Refused(400, "field 'key' must be a string");
        }
        List<Header> headers = new ArrayList<>();
        JsonNode h = json.get("headers");
        if (h != null && !h.isNull()) {
            if (!h.isObject()) {
                throw new Refused(400, "field 'headers' must be an object of strings");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = h.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    throw new Refused(400, "header '" + e.getKey() + "' must be a string");
                }
                if (e.getKey().isEmpty() || e.getKey().startsWith(SegmentHeader.PREFIX)) {
                    throw new Refused(400, "header name '" + e.getKey() + "' is empty or kafkalab's own");
                }
                headers.add(new RecordHeader(e.getKey(), e.getValue().asText().getBytes(StandardCharsets.UTF_8)));
            }
        }
        String text = message.asText();
        return new Outgoing(key == null || key.isNull() ? null : key.asText(), text, List.copyOf(headers),
                Segments.utf8Length(text));
    }

    private static byte[] requestDigest(boolean async, boolean batch, byte[] body) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update((byte) ((async ? 1 : 0) | (batch ? 2 : 0)));
            return d.digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
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
        reply(exchange, new Answer(401, error(bearer ? "invalid bearer token" : "missing bearer token")));
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

    private static ObjectNode loadOpenApi() {
        try (InputStream in = SendMessageServer.class.getResourceAsStream("openapi.json")) {
            return (ObjectNode) JSON.readTree(in);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("the jar's openapi.json cannot be read", e);
        }
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("error", message);
    }

    /** Counts one answer in {@code kafkalab.http.requests}, by route (the known ones, else {@code other}) and status. */
    private void count(HttpExchange exchange, int status) {
        String path = exchange.getRequestURI().getPath();
        String route = ROUTES.contains(path) ? path : "other";
        meters.counter("kafkalab.http.requests", "route", route, "status", String.valueOf(status)).increment();
    }

    private void reply(HttpExchange exchange, Answer answer) throws IOException {
        count(exchange, answer.status());
        byte[] bytes = JSON.writeValueAsBytes(answer.body());
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        if (answer.retryAfter() != null) {
            exchange.getResponseHeaders().set("Retry-After", answer.retryAfter());
        }
        exchange.sendResponseHeaders(answer.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /**
     * Refuses new requests (503), lets requests in flight finish (up to the send timeout plus a second; a request
     * accepted with 202 is in flight until Kafka acknowledges it, and the producer's close sends what is left), then
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
        producerMetrics.close();
        Producers.close(producer, Duration.ofSeconds(5));
        admin.close(Duration.ofSeconds(2));
        meters.close();
    }
}
