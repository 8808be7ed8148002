package io.kafkalab.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kafkalab.examples.ui.UiServer;
import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The UI's JSON API ({@code ./kafkalab ui}) against a real 3-broker cluster: a topic of lab messages that a consumer
 * group read only a third of, one UI for the class.
 */
@KafkaTest(brokers = 3)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UiApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** In the client settings only: must never appear in an answer. */
    private static final String SECRET = "s3cret-truststore-pass";

    private final KafkaCluster cluster;
    private final String topic = KafkaTestUtils.uniqueTopic("ui-api");
    private final String group = KafkaTestUtils.uniqueGroup("ui-api");
    private UiServer ui;

    UiApiIT(KafkaCluster cluster) {
        this.cluster = cluster;
    }

    @BeforeAll
    void labTopicReadAThird() throws IOException {
        cluster.createTopic(topic, 3, 2, Map.of("retention.ms", "600000"));
        assertThat(Cli.run("produce", "-b", cluster.bootstrapServers(), "-t", topic, "--count", "30").code()).isZero();
        assertThat(Cli.run("consume-single", "-b", cluster.bootstrapServers(), "-t", topic, "--group", group,
                "--max-messages", "10").code()).isZero();
        GroupOffsets.commitEveryPartition(cluster, group, topic, 3, 10);
        ui = UiServer.start(UiServer.Settings.of(cluster.bootstrapServers()).sampleEvery(Duration.ofMillis(200))
                .withClientConfig(Map.of("ssl.truststore.password", SECRET)));
    }

    @AfterAll
    void stop() {
        ui.close();
    }

    static HttpResponse<String> get(UiServer s, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode json(String path) throws Exception {
        HttpResponse<String> r = get(ui, path);
        assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        assertThat(r.body()).doesNotContain(SECRET);
        return JSON.readTree(r.body());
    }

    private static List<JsonNode> list(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).toList();
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        return list(array).stream().filter(n -> n.path(field).asText().equals(value)).findFirst()
                .orElseThrow(() -> new AssertionError(value + " not in " + array));
    }

    @Test
    void brokersAreUpWithTheirPartitionsDiskAndTheQuorum() throws Exception {
        // a broker that misses the page's short log-dirs bound shows an unknown size (null) for that one page: on a
        // loaded machine the first ask can miss it, so wait (bounded) for a page where every size is known
        JsonNode b = await("every broker's size on disk").atMost(Duration.ofSeconds(30))
                .until(() -> json("/api/brokers"), page -> list(page.get("brokers")).stream()
                        .noneMatch(n -> n.path("logBytes").isNull()));
        List<JsonNode> brokers = list(b.get("brokers"));
        assertThat(brokers).extracting(n -> n.get("id").asInt()).containsExactlyElementsOf(cluster.brokerIds());
        assertThat(brokers).allSatisfy(n -> {
            assertThat(n.get("up").asBoolean()).isTrue();
            assertThat(n.get("host").asText()).isEqualTo("127.0.0.1");
            assertThat(n.get("logBytes").asLong()).as("bytes on disk").isPositive();
        });
        // our topic alone has 3 leaders and 6 replicas, all on these brokers
        assertThat(brokers.stream().mapToInt(n -> n.get("partitionsLed").asInt()).sum()).isGreaterThanOrEqualTo(3);
        assertThat(brokers.stream().mapToInt(n -> n.get("replicas").asInt()).sum()).isGreaterThanOrEqualTo(6);
        JsonNode quorum = b.get("controller");
        assertThat(quorum.get("leaderId").asInt()).isEqualTo(cluster.activeControllerId().orElseThrow());
        assertThat(list(quorum.get("voters"))).anySatisfy(v -> {
            assertThat(v.get("leader").asBoolean()).isTrue();
            assertThat(v.get("lag").asLong()).isZero();
        });
    }

    @Test
    void topicsShowPartitionsMessagesAndTheGroupsReadingThemWithTheirLag() throws Exception {
        JsonNode t = find(json("/api/topics?filter=" + topic).get("topics"), "name", topic);
        assertThat(t.get("partitions").asInt()).isEqualTo(3);
        assertThat(t.get("replicationFactor").asInt()).isEqualTo(2);
        assertThat(t.get("underReplicated").asInt()).isZero();
        assertThat(t.get("offline").asInt()).isZero();
        assertThat(t.get("messages").asLong()).isEqualTo(30);
        assertThat(t.get("sizeBytes").asLong()).isPositive();
        assertThat(find(t.get("groups"), "id", group).get("lag").asLong()).isEqualTo(20);

        assertThat(list(json("/api/topics?limit=1000").get("topics"))).noneMatch(n -> n.get("internal").asBoolean());
        JsonNode offsetsTopic = find(json("/api/topics?internal=true&filter=__consumer").get("topics"), "name",
                "__consumer_offsets");
        assertThat(offsetsTopic.get("internal").asBoolean()).isTrue();
    }

    @Test
    void theTopicAndGroupListsArePagedAndFilteredByTheApi() throws Exception {
        String prefix = KafkaTestUtils.uniqueTopic("ui-page");
        for (int i = 0; i < 5; i++) {
            cluster.createTopic(prefix + "-" + i, 1, 1);
            GroupOffsets.commitEveryPartition(cluster, prefix + "-group-" + i, prefix + "-" + i, 1, 0);
        }
        JsonNode page = json("/api/topics?filter=" + prefix.toUpperCase(java.util.Locale.ROOT) + "&offset=2&limit=2");
        assertThat(page.get("total").asInt()).isEqualTo(5);
        assertThat(page.get("offset").asInt()).isEqualTo(2);
        assertThat(list(page.get("topics"))).extracting(n -> n.get("name").asText())
                .containsExactly(prefix + "-2", prefix + "-3");
        assertThat(list(json("/api/topics?filter=" + prefix + "&offset=4&limit=2").get("topics")))
                .extracting(n -> n.get("name").asText()).containsExactly(prefix + "-4");
        assertThat(json("/api/topics?filter=" + prefix + "&offset=9").get("topics")).isEmpty();
        // by default the first 100, sorted by name
        JsonNode first = json("/api/topics");
        assertThat(first.get("limit").asInt()).isEqualTo(100);
        List<String> names = list(first.get("topics")).stream().map(n -> n.get("name").asText()).toList();
        assertThat(names).hasSize(Math.min(100, first.get("total").asInt())).isSorted();

        JsonNode groups = json("/api/groups?filter=" + prefix + "-group&offset=1&limit=3");
        assertThat(groups.get("total").asInt()).isEqualTo(5);
        assertThat(list(groups.get("groups"))).extracting(n -> n.get("id").asText())
                .containsExactly(prefix + "-group-1", prefix + "-group-2", prefix + "-group-3");
        for (String bad : List.of("limit=0", "limit=1001", "offset=-1", "limit=many")) {
            assertThat(get(ui, "/api/topics?" + bad).statusCode()).as(bad).isEqualTo(400);
            assertThat(get(ui, "/api/groups?" + bad).statusCode()).as(bad).isEqualTo(400);
        }
    }

    @Test
    void aTopicShowsEachPartitionAndItsNonDefaultConfigs() throws Exception {
        JsonNode t = json("/api/topics/" + topic);
        List<JsonNode> partitions = list(t.get("partitions"));
        assertThat(partitions).extracting(p -> p.get("partition").asInt()).containsExactly(0, 1, 2);
        assertThat(partitions).allSatisfy(p -> {
            assertThat(p.get("replicas")).hasSize(2);
            assertThat(p.get("isr")).hasSize(2);
            assertThat(p.get("outOfSync")).isEmpty();
            assertThat(p.get("replicas").toString()).contains(p.get("leader").asText());
            assertThat(p.get("startOffset").asLong()).isZero();
        });
        assertThat(partitions.stream().mapToLong(p -> p.get("endOffset").asLong()).sum()).isEqualTo(30);
        assertThat(list(t.get("brokers"))).extracting(b -> b.get("id").asInt() + " " + b.get("up").asBoolean())
                .containsExactlyElementsOf(cluster.brokerIds().stream().map(id -> id + " true").toList());
        assertThat(list(t.get("configs"))).extracting(c -> c.get("name").asText() + "=" + c.get("value").asText())
                .containsExactly("retention.ms=600000");
    }

    @Test
    void aGroupShowsItsOffsetsLagAndLagOverTime() throws Exception {
        JsonNode g = find(json("/api/groups?filter=" + group).get("groups"), "id", group);
        assertThat(g.get("lag").asLong()).isEqualTo(20);
        assertThat(g.get("state").asText()).isEqualTo("Empty");
        assertThat(g.get("topics").toString()).contains(topic);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(json("/api/groups/" + group).get("history").size()).isGreaterThanOrEqualTo(2));
        JsonNode d = json("/api/groups/" + group);
        assertThat(d.get("type").asText()).isIn("Classic", "Consumer");
        assertThat(d.get("members")).isEmpty();
        List<JsonNode> offsets = list(d.get("offsets"));
        assertThat(offsets).hasSize(3).allSatisfy(o -> assertThat(o.get("lag").asLong())
                .isEqualTo(o.get("end").asLong() - o.get("committed").asLong()));
        assertThat(offsets.stream().mapToLong(o -> o.get("committed").asLong()).sum()).isEqualTo(10);
        assertThat(d.get("lag").asLong()).isEqualTo(20);
        assertThat(list(d.get("history"))).allSatisfy(s -> assertThat(s.get(1).asLong()).isEqualTo(20));
    }

    @Test
    void aShareGroupIsShownAsOneWithItsMembersAndItsLag() throws Exception {
        String shared = KafkaTestUtils.uniqueTopic("ui-share");
        String shareGroup = KafkaTestUtils.uniqueGroup("ui-share");
        cluster.createTopic(shared, 1, 1);
        org.apache.kafka.common.config.ConfigResource groupConfig = new org.apache.kafka.common.config.ConfigResource(
                org.apache.kafka.common.config.ConfigResource.Type.GROUP, shareGroup);
        cluster.await(cluster.admin().incrementalAlterConfigs(Map.of(groupConfig, List.of(
                new org.apache.kafka.clients.admin.AlterConfigOp(new org.apache.kafka.clients.admin.ConfigEntry(
                        "share.auto.offset.reset", "earliest"),
                        org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all(), "share group from the start");
        KafkaTestUtils.produce(cluster, shared, 6, i -> new ProducerRecord<>(shared, "k" + i, "v" + i));
        Map<String, Object> config = Map.of("bootstrap.servers", cluster.bootstrapServers(), "group.id", shareGroup,
                "client.id", "ui-share-client");
        try (org.apache.kafka.clients.consumer.KafkaShareConsumer<String, String> consumer =
                     new org.apache.kafka.clients.consumer.KafkaShareConsumer<>(config,
                             new org.apache.kafka.common.serialization.StringDeserializer(),
                             new org.apache.kafka.common.serialization.StringDeserializer())) {
            consumer.subscribe(List.of(shared));
            java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                received.addAndGet(consumer.poll(Duration.ofMillis(200)).count());
                return received.get() >= 6;
            });
            consumer.commitSync(); // acknowledges what it received
            KafkaTestUtils.produce(cluster, shared, 4, i -> new ProducerRecord<>(shared, "later" + i, "later"));

            JsonNode listed = find(json("/api/groups?filter=" + shareGroup).get("groups"), "id", shareGroup);
            assertThat(listed.get("type").asText()).isEqualTo("Share");
            assertThat(listed.get("topics").toString()).contains(shared);
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                JsonNode d = json("/api/groups/" + shareGroup);
                assertThat(d.get("type").asText()).isEqualTo("Share");
                assertThat(list(d.get("members"))).singleElement().satisfies(m -> {
                    assertThat(m.get("clientId").asText()).isEqualTo("ui-share-client");
                    assertThat(m.get("partitions").toString()).contains(shared + "-0");
                });
                // the share-partition start offset moves up to 6 once the share coordinator has written the
                // acknowledgements down, which it does in its own time: the 4 not read are behind either way
                assertThat(list(d.get("offsets"))).singleElement().satisfies(o -> {
                    assertThat(o.get("topic").asText()).isEqualTo(shared);
                    assertThat(o.get("committed").asLong()).isBetween(0L, 6L);
                    assertThat(o.get("end").asLong()).isEqualTo(10);
                    assertThat(o.get("lag").asLong()).isBetween(4L, 10L);
                    assertThat(d.get("lag").asLong()).isEqualTo(o.get("lag").asLong());
                });
            });
        }
    }

    @Test
    void unknownTopicsAndGroupsAre404AsApiAndAsPages() throws Exception {
        for (String path : List.of("/api/topics/no-such-topic", "/api/groups/no-such-group",
                "/api/topics/no-such-topic/messages", "/topics/no-such-topic", "/groups/no-such-group", "/nowhere")) {
            assertThat(get(ui, path).statusCode()).as(path).isEqualTo(404);
        }
        assertThat(JSON.readTree(get(ui, "/api/topics/no-such-topic").body()).get("error").asText())
                .isEqualTo("topic no-such-topic not found");
        for (String page : List.of("/", "/brokers", "/topics", "/groups", "/topics/" + topic, "/groups/" + group,
                "/topics/" + topic + "/messages", "/static/app.js", "/vendor/uplot.js", "/vendor/uplot.css")) {
            assertThat(get(ui, page).statusCode()).as(page).isEqualTo(200);
        }
        assertThat(get(ui, "/").headers().firstValue("Content-Security-Policy")).hasValueSatisfying(csp ->
                assertThat(csp).contains("script-src 'self'"));
    }

    @Test
    void messagesAreBrowsedNewestOrOldestFirstFromAnOffset() throws Exception {
        JsonNode newest = json("/api/topics/" + topic + "/messages?partition=0&limit=3");
        long end = newest.get("offsets").get("0").get("end").asLong();
        assertThat(list(newest.get("records"))).extracting(r -> r.get("offset").asLong())
                .containsExactly(end - 1, end - 2, end - 3);
        JsonNode oldest = json("/api/topics/" + topic + "/messages?partition=0&order=oldest&offset=1&limit=2");
        assertThat(list(oldest.get("records"))).extracting(r -> r.get("offset").asLong()).containsExactly(1L, 2L);
        JsonNode value = oldest.get("records").get(0).get("value");
        assertThat(value.get("format").asText()).isEqualTo("json");
        assertThat(value.get("pretty").asText()).contains("\n");
        // the lab's CustomMessage, keyed by its own key
        assertThat(value.get("customMessage").get("key").asText())
                .isEqualTo(oldest.get("records").get(0).get("key").get("text").asText());
        assertThat(value.get("customMessage").get("value").asText()).isNotEmpty();
        JsonNode all = json("/api/topics/" + topic + "/messages?limit=500");
        assertThat(all.get("records")).hasSize(30);
        assertThat(get(ui, "/api/topics/" + topic + "/messages?partition=7").statusCode()).isEqualTo(400);
        assertThat(get(ui, "/api/topics/" + topic + "/messages?limit=100000").statusCode()).isEqualTo(400);
    }

    @Test
    void messagesAreBrowsedFromATimeAndALongValueIsCutWithAWayToSeeAll() throws Exception {
        String timed = KafkaTestUtils.uniqueTopic("ui-time");
        cluster.createTopic(timed, 1, 1);
        long base = System.currentTimeMillis() - 60_000;
        KafkaTestUtils.produce(cluster, timed, 10, i -> new ProducerRecord<>(timed, 0, base + 1000L * i, "k" + i,
                i == 9 ? "x".repeat(5000) : "v" + i));
        String at = "/api/topics/" + timed + "/messages?partition=0&time=" + (base + 5000);
        assertThat(list(json(at + "&order=oldest&limit=2").get("records"))).extracting(r -> r.get("offset").asLong())
                .containsExactly(5L, 6L);
        assertThat(list(json(at + "&order=newest&limit=2").get("records"))).extracting(r -> r.get("offset").asLong())
                .containsExactly(4L, 3L);
        assertThat(get(ui, at + "&offset=3").statusCode()).isEqualTo(400);

        JsonNode cut = json("/api/topics/" + timed + "/messages?partition=0&limit=1").get("records").get(0).get("value");
        assertThat(cut.get("truncated").asBoolean()).isTrue();
        assertThat(cut.get("text").asText()).hasSize(2000);
        assertThat(cut.get("bytes").asInt()).isEqualTo(5000);
        JsonNode all = json("/api/topics/" + timed + "/messages?partition=0&offset=9&order=oldest&limit=1&full=true")
                .get("records").get(0).get("value");
        assertThat(all.get("truncated").asBoolean()).isFalse();
        assertThat(all.get("text").asText()).hasSize(5000);
    }

    @Test
    void segmentedMessagesShowWhichSegmentEachRecordIsAndAreReassembledFromBeyondThePage() throws Exception {
        String segmented = KafkaTestUtils.uniqueTopic("ui-segments");
        cluster.createTopic(segmented, 1, 1);
        String text = "a message of forty characters, in parts.";
        SegmentedMessages.send(cluster, segmented, "k", text, 10);
        // then 3 of another message's 4 segments, a plain record among them: the fourth never came
        java.util.UUID lost = java.util.UUID.randomUUID();
        KafkaTestUtils.produce(cluster, segmented, 4, i -> {
            ProducerRecord<String, String> r = new ProducerRecord<>(segmented, 0, "k", i == 1 ? "plain" : "part" + i);
            if (i != 1) {
                new io.kafkalab.segment.SegmentHeader(1, lost, i == 0 ? 0 : i - 1, 4, 20, 0).writeTo(r.headers());
            }
            return r;
        });
        String browse = "/api/topics/" + segmented + "/messages?partition=0&order=";
        List<JsonNode> all = list(json(browse + "oldest&limit=4").get("records"));
        assertThat(all).hasSize(4).allSatisfy(r -> {
            assertThat(r.get("segment").get("count").asInt()).isEqualTo(4);
            assertThat(r.get("segment").get("found").asInt()).isEqualTo(4);
            assertThat(r.get("segment").get("complete").asBoolean()).isTrue();
        });
        assertThat(all.get(0).get("segment").get("assembled").get("text").asText()).isEqualTo(text);
        assertThat(all.get(1).get("segment").has("assembled")).isFalse();
        // a page that shows two of the four: the other two are found around them, and the whole message shown
        List<JsonNode> part = list(json(browse + "oldest&limit=2").get("records"));
        assertThat(part).allSatisfy(r -> assertThat(r.get("segment").get("found").asInt()).isEqualTo(4));
        assertThat(part.get(0).get("segment").get("assembled").get("text").asText()).isEqualTo(text);
        // a page that starts at the last segment: on it
        JsonNode last = json(browse + "newest&offset=3&limit=1").get("records").get(0);
        assertThat(last.get("segment").get("index").asInt()).isEqualTo(3);
        assertThat(last.get("segment").get("assembled").get("text").asText()).isEqualTo(text);
        // the incomplete one: "3/4 segments", nothing reassembled
        JsonNode incomplete = json(browse + "newest&limit=1").get("records").get(0);
        assertThat(incomplete.get("segment").get("messageId").asText()).isEqualTo(lost.toString());
        assertThat(incomplete.get("segment").get("found").asInt()).isEqualTo(3);
        assertThat(incomplete.get("segment").get("complete").asBoolean()).isFalse();
        assertThat(incomplete.get("segment").has("assembled")).isFalse();
    }

    @Test
    void aSearchFindsTextInKeysValuesAndHeadersWithinItsBound() throws Exception {
        String searched = KafkaTestUtils.uniqueTopic("ui-search");
        cluster.createTopic(searched, 2, 1);
        KafkaTestUtils.produce(cluster, searched, 40, i -> {
            ProducerRecord<String, String> r = new ProducerRecord<>(searched, "key-" + i, "value " + i);
            if (i == 17) {
                r.headers().add("trace", "Needle-In-Header".getBytes(StandardCharsets.UTF_8));
            }
            return r;
        });
        JsonNode byHeader = json("/api/topics/" + searched + "/messages?q=needle-in");
        assertThat(list(byHeader.get("records"))).singleElement().satisfies(r -> {
            assertThat(r.get("key").get("text").asText()).isEqualTo("key-17");
            assertThat(r.get("headers").get(0).get("key").asText()).isEqualTo("trace");
            assertThat(r.get("headers").get(0).get("value").get("text").asText()).isEqualTo("Needle-In-Header");
        });
        assertThat(byHeader.get("scanned").asInt()).isEqualTo(40);
        assertThat(list(json("/api/topics/" + searched + "/messages?q=KEY-3").get("records")))
                .extracting(r -> r.get("key").get("text").asText()).containsExactlyInAnyOrder("key-3", "key-30",
                        "key-31", "key-32", "key-33", "key-34", "key-35", "key-36", "key-37", "key-38", "key-39");
        assertThat(json("/api/topics/" + searched + "/messages?q=" + enc("value 9")).get("records")).hasSize(1);
    }

    @Test
    void aProducedMessageIsSentAndFoundAndReadOnlyRefusesIt() throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("ui-produce"); // the class's topic keeps its 30 messages
        cluster.createTopic(topic, 3, 2);
        String body = "{\"key\": \"k-ui\", \"value\": \"from the page " + group + "\", "
                + "\"headers\": [{\"key\": \"origin\", \"value\": \"ui\"}]}";
        HttpResponse<String> sent = post(ui, "/api/topics/" + topic + "/messages", "application/json", body);
        assertThat(sent.statusCode()).as(sent.body()).isEqualTo(200);
        JsonNode r = find(json("/api/topics/" + topic + "/messages?q=" + enc("from the page " + group))
                .get("records"), "offset", JSON.readTree(sent.body()).get("offset").asText());
        assertThat(r.get("headers").get(0).get("value").get("text").asText()).isEqualTo("ui");

        assertThat(post(ui, "/api/topics/" + topic + "/messages", "text/plain", body).statusCode()).isEqualTo(415);
        assertThat(post(ui, "/api/topics/" + topic + "/messages", "application/json", "{\"value\": 1}").statusCode())
                .isEqualTo(400);
        assertThat(post(ui, "/api/topics/nope/messages", "application/json", body).statusCode()).isEqualTo(404);
        assertThat(post(ui, "/api/brokers", "application/json", body).statusCode()).isEqualTo(405);
        try (UiServer readOnly = UiServer.start(UiServer.Settings.of(cluster.bootstrapServers()).readOnly(true))) {
            HttpResponse<String> refused = post(readOnly, "/api/topics/" + topic + "/messages", "application/json", body);
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(JSON.readTree(get(readOnly, "/api/overview").body()).get("readOnly").asBoolean()).isTrue();
        }
    }

    @Test
    void aRequestForAnotherHostIsRefused() throws Exception {
        // DNS rebinding: a page on evil.example whose name now points at 127.0.0.1 sends Host: evil.example
        try (Socket s = new Socket("127.0.0.1", ui.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /api/brokers HTTP/1.1\r\nHost: evil.example:" + ui.port() + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).startsWith("HTTP/1.1 421");
        }
        assertThat(get(ui, "/api/overview").statusCode()).isEqualTo(200);
    }

    @Test
    void aClusterThatDoesNotAnswerGives503QuicklyAndThePagesStillLoad() throws Exception {
        try (UiServer away = UiServer.start(UiServer.Settings.of("127.0.0.1:1").timeout(Duration.ofSeconds(1)))) {
            long begin = System.nanoTime();
            HttpResponse<String> r = get(away, "/api/brokers");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("the cluster did not answer within 1 s");
            assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(5));
            assertThat(get(away, "/").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void theUiCommandServesTheClusterOnLoopbackAndStartsBeforeAnyCluster() throws Exception {
        try (io.kafkalab.testkit.JvmProcess cmd = io.kafkalab.testkit.JvmProcess.start(KafkaLab.class, "ui", "-b",
                cluster.bootstrapServers(), "--port", "0")) {
            String line = cmd.awaitLine(l -> l.startsWith("kafkalab UI for "), Duration.ofSeconds(60));
            assertThat(line).matches("kafkalab UI for \\S+: http://127\\.0\\.0\\.1:\\d+/ \\(Ctrl-C stops\\)");
            String url = line.replaceAll(".*(http://\\S+/).*", "$1");
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + "api/overview"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(r.body()).get("brokers").asInt()).isEqualTo(3);
            assertThat(cmd.terminate(Duration.ofSeconds(30))).isTrue();
        }
        // no cluster there: no preflight check refuses to start (the page says the cluster is away); what stops
        // this run is its bad port, in one line
        Cli.Result bad = Cli.run("ui", "-b", "127.0.0.1:1", "--port", "-5");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err().strip()).isEqualTo("kafkalab ui: port must be between 0 and 65535, but was -5");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static HttpResponse<String> post(UiServer s, String path, String type, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsArePrometheusTextCountingRequestsByRouteWithoutANamePerTopic() throws Exception {
        assertThat(get(ui, "/api/topics/" + topic).statusCode()).isEqualTo(200);
        assertThat(get(ui, "/api/topics/no-such-topic-here").statusCode()).isEqualTo(404);
        HttpResponse<String> scraped = get(ui, "/metrics");
        assertThat(scraped.statusCode()).isEqualTo(200);
        assertThat(scraped.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        java.util.Map<String, Double> samples = PrometheusText.parse(scraped.body());
        assertThat(PrometheusText.value(samples, "kafkalab_ui_requests_total", "route=\"api/topics/{topic}\"",
                "status=\"200\"")).isGreaterThanOrEqualTo(1.0);
        assertThat(PrometheusText.value(samples, "kafkalab_ui_requests_total", "route=\"api/topics/{topic}\"",
                "status=\"404\"")).isGreaterThanOrEqualTo(1.0);
        assertThat(samples.keySet()).noneMatch(k -> k.contains(topic)); // one series per route, not per topic
        assertThat(samples.keySet()).anyMatch(k -> k.startsWith("kafka_admin_client_")); // the Admin client's own
    }
}
