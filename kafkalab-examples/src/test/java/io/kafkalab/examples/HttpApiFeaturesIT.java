package io.kafkalab.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkalab.segment.SegmentHeader;
import io.kafkalab.testkit.EmbeddedKafkaCluster;
import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API beyond the lab's: key and headers, {@code Idempotency-Key}, {@code ?async=true}, the 429 bound and
 * readiness, through a real HTTP client against a real cluster; what reached Kafka is counted on the topic.
 */
@KafkaTest(brokers = 3)
class HttpApiFeaturesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static SendMessageServer server(String bootstrap, String topic, Duration sendTimeout, int maxInFlight)
            throws Exception {
        return new SendMessageServer(new SendMessageServer.Settings("127.0.0.1", 0, bootstrap, topic, 100, 100_000,
                sendTimeout, 4).withInFlight(maxInFlight, 64L << 20)).start();
    }

    private HttpResponse<String> post(SendMessageServer s, String pathAndQuery, String body, String idempotencyKey)
            throws Exception {
        return http.send(request(s, pathAndQuery, body, idempotencyKey), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest request(SendMessageServer s, String pathAndQuery, String body, String idempotencyKey) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + pathAndQuery))
                .timeout(WAIT).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (idempotencyKey != null) {
            b.header("Idempotency-Key", idempotencyKey);
        }
        return b.build();
    }

    private HttpResponse<String> get(SendMessageServer s, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path)).timeout(WAIT).GET()
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long recordsOn(KafkaCluster cluster, String topic) {
        return KafkaTestUtils.endOffsets(cluster, topic).values().stream().mapToLong(Long::longValue).sum();
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void theKeyOrdersAndTheHeadersTravelOnEverySegment(KafkaCluster cluster) throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("http-key");
        cluster.createTopic(topic, 3, 2);
        try (SendMessageServer s = server(cluster.bootstrapServers(), topic, Duration.ofSeconds(10), 100)) {
            List<Integer> partitions = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = post(s, "/send_message", "{\"message\": \"" + "x".repeat(250)
                        + "\", \"key\": \"user-7\", \"headers\": {\"trace\": \"t-" + i + "\", \"source\": \"lab\"}}", null);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                partitions.add(JSON.readTree(r.body()).get("partition").asInt());
            }
            assertThat(Set.copyOf(partitions)).as("one key, one partition").hasSize(1);
            List<ConsumerRecord<String, String>> records = KafkaTestUtils.consume(cluster, topic, 9, WAIT);
            assertThat(records).hasSize(9);
            assertThat(records).allSatisfy(r -> {
                assertThat(r.key()).isEqualTo("user-7");
                assertThat(r.partition()).isEqualTo(partitions.get(0));
                assertThat(header(r, "source")).isEqualTo("lab");
                assertThat(header(r, SegmentHeader.MESSAGE_ID)).isNotNull();
            });
            assertThat(records.stream().map(r -> header(r, "trace")).collect(Collectors.toList()))
                    .containsExactly("t-0", "t-0", "t-0", "t-1", "t-1", "t-1", "t-2", "t-2", "t-2");

            for (String bad : List.of("{\"message\": \"m\", \"key\": 5}", "{\"message\": \"m\", \"headers\": []}",
                    "{\"message\": \"m\", \"headers\": {\"a\": 1}}",
                    "{\"message\": \"m\", \"headers\": {\"kafkalab.segment.index\": \"0\"}}")) {
                HttpResponse<String> r = post(s, "/send_message", bad, null);
                assertThat(r.statusCode()).as(bad).isEqualTo(400);
                assertThat(JSON.readTree(r.body()).fieldNames()).toIterable().containsExactly("error");
            }
            assertThat(recordsOn(cluster, topic)).as("nothing sent for the bad requests").isEqualTo(9);
        }
    }

    @Test
    void aRetryWithTheSameIdempotencyKeySendsOnceAndGetsTheFirstAnswer(KafkaCluster cluster) throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("http-idem");
        cluster.createTopic(topic, 3, 2);
        String body = "{\"message\": \"" + "y".repeat(250) + "\"}"; // 3 segments
        try (SendMessageServer s = server(cluster.bootstrapServers(), topic, Duration.ofSeconds(10), 100)) {
            // five at once and one after: all get the same message id, one message reaches Kafka
            List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                sent.add(http.sendAsync(request(s, "/send_message", body, "order-42"),
                        HttpResponse.BodyHandlers.ofString()));
            }
            List<String> ids = new ArrayList<>();
            for (CompletableFuture<HttpResponse<String>> f : sent) {
                HttpResponse<String> r = f.get();
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                ids.add(JSON.readTree(r.body()).get("messageId").asText());
            }
            HttpResponse<String> again = post(s, "/send_message", body, "order-42");
            assertThat(again.statusCode()).isEqualTo(200);
            ids.add(JSON.readTree(again.body()).get("messageId").asText());
            assertThat(Set.copyOf(ids)).hasSize(1);

            HttpResponse<String> other = post(s, "/send_message", "{\"message\": \"another\"}", "order-42");
            assertThat(other.statusCode()).isEqualTo(422);
            assertThat(JSON.readTree(other.body()).get("error").asText()).contains("order-42");

            HttpResponse<String> fresh = post(s, "/send_message", body, "order-43");
            assertThat(fresh.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(fresh.body()).get("messageId").asText()).isNotEqualTo(ids.get(0));
            assertThat(post(s, "/send_message", body, " ").statusCode()).isEqualTo(400);
            // two messages of three segments each
            assertThat(recordsOn(cluster, topic)).isEqualTo(6);
        }
    }

    @Test
    void asyncAnswers202WithTheIdTheRecordsCarry(KafkaCluster cluster) throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("http-async");
        cluster.createTopic(topic, 3, 2);
        try (SendMessageServer s = server(cluster.bootstrapServers(), topic, Duration.ofSeconds(10), 100)) {
            HttpResponse<String> r = post(s, "/send_message?async=true", "{\"message\": \"" + "z".repeat(150) + "\"}",
                    null);
            assertThat(r.statusCode()).isEqualTo(202);
            JsonNode accepted = JSON.readTree(r.body());
            assertThat(accepted.get("status").asText()).isEqualTo("accepted");
            String id = accepted.get("messageId").asText();
            List<ConsumerRecord<String, String>> records = KafkaTestUtils.consume(cluster, topic, 2, WAIT);
            assertThat(records).hasSize(2).allSatisfy(rec -> assertThat(header(rec, SegmentHeader.MESSAGE_ID))
                    .isEqualTo(id));
        }
    }

    @Test
    void overTheInFlightBoundAnswers429WithRetryAfterAndSendsNothing() throws Exception {
        // nothing listens on the address: the first request waits for metadata for the send timeout, in flight
        int port = KafkaTestUtils.freePortRange(1);
        try (SendMessageServer s = server("127.0.0.1:" + port, "t", Duration.ofSeconds(3), 1)) {
            CompletableFuture<HttpResponse<String>> first = http.sendAsync(
                    request(s, "/send_message", "{\"message\": \"first\", \"key\": \"k\"}", "first"),
                    HttpResponse.BodyHandlers.ofString());
            await().atMost(WAIT).until(() -> s.sending() == 1);
            HttpResponse<String> refused = post(s, "/send_message", "{\"message\": \"second\", \"key\": \"k\"}", "second");
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(JSON.readTree(refused.body()).get("error").asText()).contains("too many requests");
            assertThat(first.get().statusCode()).isEqualTo(503);
            assertThat(s.sending()).isZero();
            // the bound is free again, and the 429 was not remembered under its key: a retry is tried for real
            HttpResponse<String> retried = post(s, "/send_message", "{\"message\": \"second\", \"key\": \"k\"}", "second");
            assertThat(retried.statusCode()).isEqualTo(503);
        }
    }

    @Test
    void healthIsReadinessAndFollowsTheClusterDownAndUp() throws Exception {
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.builder().brokers(1).start();
             SendMessageServer s = server(cluster.bootstrapServers(), "t", Duration.ofSeconds(3), 100)) {
            await().atMost(WAIT).until(() -> get(s, "/health").statusCode() == 200);
            assertThat(JSON.readTree(get(s, "/health").body()).get("status").asText()).isEqualTo("up");
            int broker = cluster.brokerIds().get(0);
            cluster.stopBroker(broker);
            await().atMost(WAIT).until(() -> get(s, "/health").statusCode() == 503);
            JsonNode down = JSON.readTree(get(s, "/health").body());
            assertThat(down.get("status").asText()).isEqualTo("down");
            assertThat(down.get("error").asText()).contains(cluster.bootstrapServers());
            assertThat(get(s, "/health/live").statusCode()).as("liveness stays up").isEqualTo(200);
            cluster.startBroker(broker);
            await().atMost(WAIT).until(() -> get(s, "/health").statusCode() == 200);
        }
    }

    @Test
    void aBatchAnswersEveryMessageOnItsOwnAndSendsOnlyTheValidOnes(KafkaCluster cluster) throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("http-batch");
        cluster.createTopic(topic, 3, 2);
        try (SendMessageServer s = server(cluster.bootstrapServers(), topic, Duration.ofSeconds(10), 100)) {
            HttpResponse<String> r = post(s, "/send_messages", "[{\"message\": \"" + "a".repeat(150) + "\"},"
                    + " {\"message\": \"b\", \"key\": 5}, {\"message\": \"c\", \"key\": \"u\"}, {\"nothing\": 1}]", null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode out = JSON.readTree(r.body());
            assertThat(out.get("sent").asInt()).isEqualTo(2);
            assertThat(out.get("failed").asInt()).isEqualTo(2);
            List<Integer> codes = new ArrayList<>();
            out.get("results").forEach(item -> codes.add(item.get("code").asInt()));
            assertThat(codes).containsExactly(200, 400, 200, 400);
            assertThat(out.get("results").get(0).get("segments").asInt()).isEqualTo(2);
            assertThat(out.get("results").get(1).get("error").asText()).isEqualTo("field 'key' must be a string");
            assertThat(out.get("results").get(3).get("error").asText()).isEqualTo("field 'message' is missing");
            // 2 + 1 segments reached Kafka, nothing of the invalid ones
            assertThat(recordsOn(cluster, topic)).isEqualTo(3);

            String many = "[" + String.join(",", java.util.Collections.nCopies(SendMessageServer.MAX_BATCH + 1,
                    "{\"message\": \"m\"}")) + "]";
            for (String bad : List.of("[]", "{\"message\": \"m\"}", "not json", many)) {
                HttpResponse<String> refused = post(s, "/send_messages", bad, null);
                assertThat(refused.statusCode()).as(bad.length() > 50 ? "1001 messages" : bad).isEqualTo(400);
            }
            assertThat(recordsOn(cluster, topic)).isEqualTo(3);
        }
    }

    @Test
    void theOpenApiDocumentNamesEveryRouteAndEveryStatusItAnswers(KafkaCluster cluster) throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("http-openapi");
        cluster.createTopic(topic, 3, 2);
        try (SendMessageServer s = server(cluster.bootstrapServers(), topic, Duration.ofSeconds(10), 100)) {
            HttpResponse<String> doc = get(s, "/openapi.json");
            assertThat(doc.statusCode()).isEqualTo(200);
            JsonNode paths = JSON.readTree(doc.body()).get("paths");
            List<String> routes = new ArrayList<>();
            paths.fieldNames().forEachRemaining(routes::add);
            assertThat(routes).containsExactlyInAnyOrder("/send_message", "/send_messages", "/health", "/health/live",
                    "/openapi.json", "/metrics");
            for (String route : routes) {
                JsonNode operations = paths.get(route);
                for (String method : List.of("GET", "POST", "PUT", "DELETE")) {
                    String body = route.equals("/send_messages") ? "[{\"message\": \"m\"}]" : "{\"message\": \"m\"}";
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + s.port() + route)).timeout(WAIT)
                            .header("Content-Type", "application/json")
                            .method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    JsonNode op = operations.get(method.toLowerCase(java.util.Locale.ROOT));
                    if (op == null) {
                        assertThat(r.statusCode()).as("%s %s, undocumented", method, route).isEqualTo(405);
                        JsonNode documented = operations.elements().next().get("responses");
                        assertThat(documented.has("405")).as("405 documented for %s", route).isTrue();
                    } else {
                        assertThat(op.get("responses").has(String.valueOf(r.statusCode())))
                                .as("%s %s answered %d: %s", method, route, r.statusCode(), r.body()).isTrue();
                        assertThat(r.statusCode()).as("%s %s", method, route).isEqualTo(200);
                    }
                }
            }
            // the statuses the other tests provoke are documented where they happen
            JsonNode send = paths.get("/send_message").get("post").get("responses");
            for (String code : List.of("200", "202", "400", "401", "405", "413", "415", "422", "429", "503")) {
                assertThat(send.has(code)).as("POST /send_message documents %s", code).isTrue();
            }
            assertThat(get(s, "/nowhere").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void metricsArePrometheusTextCountingEachRequestByRouteAndStatusWithTheProducersOwn(KafkaCluster cluster)
            throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("http-metrics");
        cluster.createTopic(topic, 3, 2);
        try (SendMessageServer s = server(cluster.bootstrapServers(), topic, Duration.ofSeconds(10), 100)) {
            for (int i = 0; i < 3; i++) {
                assertThat(post(s, "/send_message", "{\"message\": \"m" + i + "\"}", null).statusCode()).isEqualTo(200);
            }
            assertThat(post(s, "/send_message", "{\"nope\": 1}", null).statusCode()).isEqualTo(400);
            assertThat(get(s, "/nowhere").statusCode()).isEqualTo(404);
            HttpResponse<String> scraped = get(s, "/metrics");
            assertThat(scraped.statusCode()).isEqualTo(200);
            assertThat(scraped.headers().firstValue("Content-Type")).hasValue(SendMessageServer.PROMETHEUS_TEXT);
            Map<String, Double> samples = PrometheusText.parse(scraped.body());
            assertThat(PrometheusText.value(samples, "kafkalab_http_requests_total", "route=\"/send_message\"",
                    "status=\"200\"")).isEqualTo(3.0);
            assertThat(PrometheusText.value(samples, "kafkalab_http_requests_total", "route=\"/send_message\"",
                    "status=\"400\"")).isEqualTo(1.0);
            assertThat(PrometheusText.value(samples, "kafkalab_http_requests_total", "route=\"other\"",
                    "status=\"404\"")).isEqualTo(1.0);
            assertThat(PrometheusText.value(samples, "kafkalab_http_requests_total", "route=\"/metrics\"",
                    "status=\"200\"")).isEqualTo(1.0); // the scrape counts itself
            assertThat(PrometheusText.value(samples, "kafkalab_http_sending_requests")).isZero();
            assertThat(PrometheusText.value(samples, "kafka_producer_record_send_total")).isEqualTo(3.0);
            assertThat(post(s, "/metrics", "{}", null).statusCode()).isEqualTo(405);
        }
    }
}
