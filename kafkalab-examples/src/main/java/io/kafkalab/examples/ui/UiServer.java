package io.kafkalab.examples.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kafkalab.producer.DeliveryGuarantee;
import io.kafkalab.producer.Producers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web UI of {@code ./kafkalab ui}: serves the pages (plain HTML, CSS and JavaScript from this jar, the chart
 * library from its WebJar; nothing from the internet) and the JSON API they poll, on the JDK's HTTP server.
 *
 * <p>The API (every answer JSON; errors {@code {"error": "..."}} with 400, 403, 404, 405, 415 or 503; a 403 whose
 * error starts with {@code not authorized} is the cluster's authorizer refusing the UI's Kafka user, and the page
 * then says "Not authorized" instead of showing an error):
 * <ul>
 *   <li>{@code GET /api/overview}: cluster id, counts, whether the UI is read-only</li>
 *   <li>{@code GET /api/brokers}: every broker (up or down, partitions led and replicated, bytes on disk) and the
 *       KRaft quorum (leader, voters and their lag)</li>
 *   <li>{@code GET /api/topics[?internal=true&filter=&offset=&limit=]} (a page of the list, sorted by name),
 *       {@code GET /api/topics/{topic}}: partitions, replicas, ISR,
 *       offsets, sizes, the groups reading a topic and their lag, configs set on the topic</li>
 *   <li>{@code GET /api/topics/{topic}/messages?partition=&offset=&time=&order=newest|oldest&limit=&q=&full=}: browse
 *       or search, bounded in records and time; {@code POST} the same path to produce one message (not with
 *       {@code readOnly})</li>
 *   <li>{@code GET /api/groups[?filter=&offset=&limit=]}, {@code GET /api/groups/{group}}: state, type, members, committed and end offsets,
 *       lag per partition, and the group's lag over time as sampled while the UI runs</li>
 * </ul>
 *
 * <p>Client settings (passwords included) are used to connect and never shown. Requests whose {@code Host} is not
 * this server's address are refused (a page elsewhere cannot read the API through DNS rebinding), and producing
 * needs {@code Content-Type: application/json} (a cross-site form cannot send it). Thread safe; {@link #close()}
 * stops everything it started.
 *
 * <pre>{@code
 * try (UiServer ui = UiServer.start(UiServer.Settings.of("127.0.0.1:9092"))) {
 *     System.out.println("http://127.0.0.1:" + ui.port() + "/");
 * }
 * }</pre>
 */
public final class UiServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UiServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STATIC = "/io/kafkalab/examples/ui/static/";
    private static final int MAX_BODY = 1 << 20;

    /**
     * How the UI runs.
     *
     * @param bind             the address to listen on ({@code 127.0.0.1} unless you mean to share it)
     * @param port             the port, 0 for any free one
     * @param bootstrapServers where the cluster is
     * @param clientConfig     more client settings (security); used, never shown
     * @param readOnly         whether producing from the page is off
     * @param sampleEvery      how often each group's lag is sampled for the chart
     * @param maxSamples       how many samples each group keeps
     * @param timeout          how long each request waits for the cluster before it answers 503
     */
    public record Settings(String bind, int port, String bootstrapServers, Map<String, Object> clientConfig,
                           boolean readOnly, Duration sampleEvery, int maxSamples, Duration timeout) {

        /** Validates and copies. */
        public Settings {
            Objects.requireNonNull(bind, "bind");
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            clientConfig = Map.copyOf(clientConfig);
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535, but was " + port);
            }
            if (sampleEvery.isNegative() || sampleEvery.isZero()) {
                throw new IllegalArgumentException("sampleEvery must be > 0, but was " + sampleEvery);
            }
            if (maxSamples < 1) {
                throw new IllegalArgumentException("maxSamples must be >= 1, but was " + maxSamples);
            }
            if (timeout.toMillis() < 100) {
                throw new IllegalArgumentException("timeout must be >= 100 ms, but was " + timeout);
            }
        }

        /**
         * @param bootstrapServers where the cluster is
         * @return 127.0.0.1 on a free port, plaintext, producing allowed, lag sampled every 2 s for an hour, 5 s
         *         for the cluster to answer
         */
        public static Settings of(String bootstrapServers) {
            return new Settings("127.0.0.1", 0, bootstrapServers, Map.of(), false, Duration.ofSeconds(2), 1800,
                    ClusterView.DEFAULT_TIMEOUT);
        }

        /** @return these settings on another address and port */
        public Settings at(String bind, int port) {
            return new Settings(bind, port, bootstrapServers, clientConfig, readOnly, sampleEvery, maxSamples, timeout);
        }

        /** @return these settings with other client settings */
        public Settings withClientConfig(Map<String, Object> config) {
            return new Settings(bind, port, bootstrapServers, config, readOnly, sampleEvery, maxSamples, timeout);
        }

        /** @return these settings, read-only or not */
        public Settings readOnly(boolean value) {
            return new Settings(bind, port, bootstrapServers, clientConfig, value, sampleEvery, maxSamples, timeout);
        }

        /** @return these settings with another sampling interval */
        public Settings sampleEvery(Duration every) {
            return new Settings(bind, port, bootstrapServers, clientConfig, readOnly, every, maxSamples, timeout);
        }

        /** @return these settings with another bound on waiting for the cluster */
        public Settings timeout(Duration bound) {
            return new Settings(bind, port, bootstrapServers, clientConfig, readOnly, sampleEvery, maxSamples, bound);
        }

        @Override
        public String toString() {
            // the client settings may hold a password
            return "Settings[bind=" + bind + ", port=" + port + ", bootstrapServers=" + bootstrapServers
                    + ", readOnly=" + readOnly + "]";
        }
    }

    private final Settings settings;
    private final Admin admin;
    /** What {@code GET /metrics} shows: requests by route and status, the Admin client's own metrics. */
    private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final KafkaClientMetrics adminMetrics;
    private final ClusterView view;
    private final MessageBrowser browser;
    private final LagHistory history;
    private final HttpServer server;
    private final ExecutorService executor;
    private final ScheduledExecutorService sampler;
    private final Map<String, Object> clientConfig;
    private Producer<byte[], byte[]> producer; // made on the first produce; guarded by this

    private UiServer(Settings settings) throws IOException {
        this.settings = settings;
        this.clientConfig = new HashMap<>(settings.clientConfig());
        clientConfig.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        Map<String, Object> adminConfig = new HashMap<>(clientConfig);
        adminConfig.put(AdminClientConfig.CLIENT_ID_CONFIG, "kafkalab-ui");
        adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) settings.timeout().toMillis());
        adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) settings.timeout().toMillis());
        adminConfig.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        this.admin = Admin.create(adminConfig);
        // Admin.create gives Kafka's AdminClient, which is what Micrometer's binder takes
        this.adminMetrics = new KafkaClientMetrics((org.apache.kafka.clients.admin.AdminClient) admin);
        adminMetrics.bindTo(meters);
        this.view = new ClusterView(admin, settings.bootstrapServers(), settings.timeout());
        this.browser = new MessageBrowser(this::newConsumer, MessageBrowser.Limits.DEFAULT, settings.timeout());
        this.history = new LagHistory(Clock.systemUTC(), settings.maxSamples());
        this.server = HttpServer.create(new InetSocketAddress(settings.bind(), settings.port()), 64);
        this.executor = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "kafkalab-ui");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kafkalab-ui-lag-sampler");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts serving and sampling lag; returns at once.
     *
     * @param settings how
     * @return the running server
     * @throws IOException when the address cannot be bound
     */
    public static UiServer start(Settings settings) throws IOException {
        UiServer ui = new UiServer(settings);
        ui.server.start();
        long every = settings.sampleEvery().toMillis();
        ui.sampler.scheduleWithFixedDelay(ui::sample, 0, every, TimeUnit.MILLISECONDS);
        return ui;
    }

    /** @return the port bound (useful with port 0) */
    public int port() {
        return server.getAddress().getPort();
    }

    /** @return the address to open in a browser */
    public String url() {
        String host = settings.bind().equals("0.0.0.0") ? "127.0.0.1" : settings.bind();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/";
    }

    private void sample() {
        try {
            history.record(view.groupOffsets().totalLags());
        } catch (RuntimeException e) {
            LOG.debug("lag not sampled: {}", e.toString());
        }
    }

    private Consumer<byte[], byte[]> newConsumer() {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "kafkalab-ui-browser");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        // looking at a topic that does not exist must not create it
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) settings.timeout().toMillis());
        config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) settings.timeout().toMillis());
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private synchronized Producer<byte[], byte[]> producer() {
        if (producer == null) {
            Map<String, Object> config = new HashMap<>(clientConfig);
            config.put("client.id", "kafkalab-ui-producer");
            config.put("max.block.ms", (int) settings.timeout().toMillis());
            config.put("request.timeout.ms", (int) settings.timeout().toMillis());
            config.put("delivery.timeout.ms", (int) settings.timeout().toMillis() + 20);
            config.put("linger.ms", 0);
            producer = Producers.create(DeliveryGuarantee.AT_LEAST_ONCE, config, new ByteArraySerializer(),
                    new ByteArraySerializer());
        }
        return producer;
    }

    // ---------------------------------------------------------------- routing

    private void handle(HttpExchange exchange) throws IOException {
        try {
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
            if (!hostAllowed(exchange.getRequestHeaders().getFirst("Host"))) {
                reply(exchange, 421, error("this server answers to " + settings.bind() + ":" + port() + " only"));
                return;
            }
            List<String> path = segments(exchange.getRequestURI().getRawPath());
            if (path.equals(List.of("metrics"))) {
                metrics(exchange);
                return;
            }
            if (!path.isEmpty() && path.get(0).equals("api")) {
                exchange.getResponseHeaders().set("Cache-Control", "no-store");
                api(exchange, path.subList(1, path.size()));
            } else {
                page(exchange, path);
            }
        } catch (ApiError e) {
            reply(exchange, e.status(), error(e.getMessage()));
        } catch (org.apache.kafka.common.errors.AuthorizationException e) {
            // refused to the browser's consumer or producer (reading or producing messages): as Admin refusals
            ApiError refused = ApiError.notAuthorized(e);
            reply(exchange, refused.status(), error(refused.getMessage()));
        } catch (RuntimeException e) {
            LOG.error("UI request failed", e);
            try {
                reply(exchange, 500, error("internal error"));
            } catch (IOException | RuntimeException ignored) {
                // the answer may have started already
            }
        } finally {
            exchange.close();
        }
    }

    /** {@code GET /metrics}: the UI's requests and its Admin client's metrics, in Prometheus text. */
    private void metrics(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("GET")) {
            exchange.getResponseHeaders().set("Allow", "GET");
            throw new ApiError(405, "method " + exchange.getRequestMethod() + " not allowed");
        }
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        send(exchange, 200, meters.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /**
     * @return the request's route as {@code kafkalab.ui.requests} tags it: the API's routes with {@code {topic}} and
     *     {@code {group}} in place of names (a tag per topic would grow without bound), {@code metrics}, or {@code page}
     */
    static String route(List<String> path) {
        if (path.equals(List.of("metrics"))) {
            return "metrics";
        }
        if (path.isEmpty() || !path.get(0).equals("api")) {
            return "page";
        }
        List<String> api = path.subList(1, path.size());
        if (api.size() == 1 && List.of("overview", "brokers", "topics", "groups").contains(api.get(0))) {
            return "api/" + api.get(0);
        }
        if (api.size() == 2 && api.get(0).equals("topics")) {
            return "api/topics/{topic}";
        }
        if (api.size() == 2 && api.get(0).equals("groups")) {
            return "api/groups/{group}";
        }
        if (api.size() == 3 && api.get(0).equals("topics") && api.get(2).equals("messages")) {
            return "api/topics/{topic}/messages";
        }
        return "api/other";
    }

    private void api(HttpExchange exchange, List<String> path) throws IOException {
        String method = exchange.getRequestMethod();
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        boolean produce = path.size() == 3 && path.get(0).equals("topics") && path.get(2).equals("messages");
        if (!method.equals("GET") && !(produce && method.equals("POST"))) {
            exchange.getResponseHeaders().set("Allow", produce ? "GET, POST" : "GET");
            throw new ApiError(405, "method " + method + " not allowed");
        }
        String subject = path.size() < 2 ? null : path.get(0).equals("topics") ? "topic '" + path.get(1) + "'"
                : path.get(0).equals("groups") ? "group '" + path.get(1) + "'" : null;
        JsonNode body;
        try {
            body = answer(exchange, path, method, query, produce);
        } catch (ApiError e) {
            throw e.about(subject);
        } catch (org.apache.kafka.common.errors.AuthorizationException e) {
            throw ApiError.notAuthorized(e).about(subject);
        }
        reply(exchange, 200, body);
    }

    private JsonNode answer(HttpExchange exchange, List<String> path, String method, Map<String, String> query,
                            boolean produce) throws IOException {
        return switch (path.size()) {
            case 1 -> switch (path.get(0)) {
                case "overview" -> view.overview(settings.readOnly());
                case "brokers" -> view.brokers();
                case "topics" -> view.topics(Boolean.parseBoolean(query.get("internal")), page(query));
                case "groups" -> view.groups(page(query));
                default -> throw ApiError.notFound("API " + String.join("/", path));
            };
            case 2 -> switch (path.get(0)) {
                case "topics" -> view.topic(path.get(1));
                case "groups" -> view.group(path.get(1), history.of(path.get(1)));
                default -> throw ApiError.notFound("API " + String.join("/", path));
            };
            case 3 -> {
                if (!produce) {
                    throw ApiError.notFound("API " + String.join("/", path));
                }
                yield method.equals("POST") ? produce(exchange, path.get(1)) : browser.read(browseRequest(path.get(1), query));
            }
            default -> throw ApiError.notFound("API " + String.join("/", path));
        };
    }

    static MessageBrowser.Request browseRequest(String topic, Map<String, String> q) {
        String order = q.getOrDefault("order", "newest");
        if (!order.equals("newest") && !order.equals("oldest")) {
            throw ApiError.badRequest("order must be newest or oldest, but was " + order);
        }
        String partition = q.get("partition");
        return new MessageBrowser.Request(topic,
                partition == null || partition.isEmpty() || partition.equals("all") ? null
                        : (int) number(q, "partition", -1),
                q.get("offset") == null || q.get("offset").isEmpty() ? null : number(q, "offset", -1),
                q.get("time") == null || q.get("time").isEmpty() ? null : number(q, "time", -1),
                order.equals("newest"), (int) number(q, "limit", 50), q.get("q"), Boolean.parseBoolean(q.get("full")));
    }

    static ClusterView.Page page(Map<String, String> q) {
        long offset = number(q, "offset", 0);
        long limit = number(q, "limit", ClusterView.Page.DEFAULT_LIMIT);
        return new ClusterView.Page(q.get("filter"), (int) Math.max(-1, Math.min(Integer.MAX_VALUE, offset)),
                (int) Math.max(-1, Math.min(Integer.MAX_VALUE, limit)));
    }

    private static long number(Map<String, String> q, String name, long fallback) {
        String value = q.get(name);
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw ApiError.badRequest(name + " must be a number, but was " + value);
        }
    }

    private JsonNode produce(HttpExchange exchange, String topic) throws IOException {
        if (settings.readOnly()) {
            throw new ApiError(403, "this UI is read-only (--read-only): producing is off");
        }
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).split(";", 2)[0].trim().equals("application/json")) {
            throw new ApiError(415, "Content-Type must be application/json");
        }
        byte[] bytes = exchange.getRequestBody().readNBytes(MAX_BODY + 1);
        if (bytes.length > MAX_BODY) {
            throw new ApiError(413, "request body over " + MAX_BODY + " bytes");
        }
        JsonNode json;
        try {
            json = JSON.readTree(bytes);
        } catch (IOException e) {
            throw ApiError.badRequest("request body is not valid JSON");
        }
        if (json == null || !json.isObject() || !json.path("value").isTextual()) {
            throw ApiError.badRequest("field 'value' must be a string");
        }
        JsonNode key = json.path("key");
        JsonNode partition = json.path("partition");
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic,
                partition.isIntegralNumber() ? partition.intValue() : null,
                key.isTextual() && !key.asText().isEmpty() ? MessageBrowser.utf8(key.asText()) : null,
                MessageBrowser.utf8(json.get("value").asText()));
        for (JsonNode h : json.path("headers")) {
            if (!h.path("key").isTextual() || h.path("key").asText().isEmpty()) {
                throw ApiError.badRequest("each header needs a non-empty 'key'");
            }
            record.headers().add(h.get("key").asText(), MessageBrowser.utf8(h.path("value").asText()));
        }
        if (!view.topicExists(topic)) {
            throw ApiError.notFound("topic " + topic);
        }
        try {
            RecordMetadata sent = producer().send(record).get(settings.timeout().toMillis() + 1000,
                    TimeUnit.MILLISECONDS);
            return JSON.createObjectNode().put("status", "sent").put("partition", sent.partition())
                    .put("offset", sent.offset());
        } catch (TimeoutException e) {
            throw ClusterView.unreachable(settings.timeout());
        } catch (ExecutionException e) {
            throw new ApiError(503, "not sent: " + e.getCause().getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "the server is stopping");
        } catch (org.apache.kafka.common.KafkaException e) {
            throw ApiError.badRequest("not sent: " + e.getMessage());
        }
    }

    /** The pages: one HTML document whose script draws the screen named by the path; unknown things answer 404. */
    private void page(HttpExchange exchange, List<String> path) throws IOException {
        if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
            exchange.getResponseHeaders().set("Allow", "GET");
            reply(exchange, 405, error("method " + exchange.getRequestMethod() + " not allowed"));
            return;
        }
        if (path.size() == 2 && path.get(0).equals("static")) {
            resource(exchange, STATIC + path.get(1));
            return;
        }
        if (path.size() == 2 && path.get(0).equals("vendor")) {
            vendor(exchange, path.get(1));
            return;
        }
        int status;
        if (path.isEmpty() || (path.size() == 1 && List.of("brokers", "topics", "groups").contains(path.get(0)))) {
            status = 200;
        } else if (path.get(0).equals("topics") && (path.size() == 2
                || (path.size() == 3 && path.get(2).equals("messages")))) {
            status = view.topicExists(path.get(1)) ? 200 : 404;
        } else if (path.get(0).equals("groups") && path.size() == 2) {
            status = view.groupExists(path.get(1)) ? 200 : 404;
        } else {
            status = 404;
        }
        byte[] html = read(STATIC + "index.html");
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'; script-src 'self'; "
                + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'");
        send(exchange, status, html);
    }

    private void resource(HttpExchange exchange, String name) throws IOException {
        if (!name.matches("[/a-zA-Z0-9._-]+") || name.contains("..")) {
            reply(exchange, 404, error("not found"));
            return;
        }
        byte[] bytes = read(name);
        if (bytes == null) {
            reply(exchange, 404, error("not found"));
            return;
        }
        String type = name.endsWith(".js") ? "text/javascript" : name.endsWith(".css") ? "text/css"
                : name.endsWith(".html") ? "text/html" : "application/octet-stream";
        exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        send(exchange, 200, bytes);
    }

    /** The chart library, from its WebJar on the class path. */
    private void vendor(HttpExchange exchange, String name) throws IOException {
        String file = switch (name) {
            case "uplot.js" -> "uPlot.iife.min.js";
            case "uplot.css" -> "uPlot.min.css";
            default -> null;
        };
        if (file == null) {
            reply(exchange, 404, error("not found"));
            return;
        }
        resource(exchange, "/META-INF/resources/webjars/uplot/" + UPLOT_VERSION + "/dist/" + file);
    }

    /** The version of the uPlot WebJar on the class path, from its Maven metadata. */
    static final String UPLOT_VERSION = webJarVersion("org.webjars.npm", "uplot");

    private static String webJarVersion(String group, String artifact) {
        Properties p = new Properties();
        try (InputStream in = UiServer.class.getResourceAsStream("/META-INF/maven/" + group + "/" + artifact
                + "/pom.properties")) {
            if (in == null) {
                return "missing";
            }
            p.load(in);
        } catch (IOException e) {
            return "missing";
        }
        return p.getProperty("version", "missing");
    }

    private static byte[] read(String name) throws IOException {
        try (InputStream in = UiServer.class.getResourceAsStream(name)) {
            return in == null ? null : in.readAllBytes();
        }
    }

    // ---------------------------------------------------------------- plumbing

    /**
     * Whether a request's Host names this server: any host when it listens on every interface, else its own address
     * (or {@code localhost} for a loopback address), with its port.
     */
    private boolean hostAllowed(String host) {
        if (host == null) {
            return false;
        }
        String bind = settings.bind();
        if (bind.equals("0.0.0.0") || bind.equals("::")) {
            return true;
        }
        String h = host.toLowerCase(Locale.ROOT);
        String port = ":" + port();
        List<String> names = new ArrayList<>(List.of(bind + port, "[" + bind + "]" + port));
        try {
            if (InetAddress.getByName(bind).isLoopbackAddress()) {
                names.addAll(List.of("localhost" + port, "127.0.0.1" + port, "[::1]" + port));
            }
        } catch (IOException e) {
            // a name that does not resolve: only itself
        }
        return names.contains(h);
    }

    static List<String> segments(String rawPath) {
        List<String> segments = new ArrayList<>();
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                segments.add(decode(s));
            }
        }
        return segments;
    }

    static Map<String, String> query(String rawQuery) {
        Map<String, String> q = new HashMap<>();
        if (rawQuery == null) {
            return q;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                try {
                    q.put(decode(pair.substring(0, eq)), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    throw ApiError.badRequest("bad percent-encoding in " + pair);
                }
            }
        }
        return q;
    }

    /** Percent-decoding of a path segment ('+' stays a plus). */
    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("bad percent-encoding in " + s);
        }
    }

    private static JsonNode error(String message) {
        return JSON.createObjectNode().put("error", message);
    }

    private void reply(HttpExchange exchange, int status, JsonNode body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        send(exchange, status, JSON.writeValueAsBytes(body));
    }

    private void send(HttpExchange exchange, int status, byte[] bytes) throws IOException {
        meters.counter("kafkalab.ui.requests", "route", route(segments(exchange.getRequestURI().getRawPath())),
                "status", String.valueOf(status)).increment();
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** Stops serving and sampling and closes the Kafka clients, within a few seconds. */
    @Override
    public void close() {
        sampler.shutdownNow();
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
            sampler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (producer != null) {
                Producers.close(producer, Duration.ofSeconds(5));
            }
        }
        adminMetrics.close();
        admin.close(Duration.ofSeconds(2));
        meters.close();
    }
}
