package io.kafkalab.bench;

import io.kafkalab.bench.Variants.Measurement;
import io.kafkalab.examples.ui.UiServer;
import io.kafkalab.testkit.KafkaCluster;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Comparison 7, the UI's lists at scale (issue 16): {@code uiTopics} topics (3 partitions, replication factor 2) and
 * {@code uiGroups} consumer groups with committed offsets, and one {@code ./kafkalab ui} ({@link UiServer}, in this
 * JVM, sampling every group's lag every 2 s as it does; waiting up to 30 s for the cluster instead of 5, so that a
 * slow answer is timed rather than cut short by a 503) asked what its pages ask, one request after another as a page
 * does, {@code uiRequests} times per variant:
 * <ol>
 *   <li>{@code admin topics page}, the baseline: what a page of 100 topics needs from Kafka at the least, asked with
 *       a plain {@code Admin} (list the names, describe 100, their start and end offsets);</li>
 *   <li>{@code api topics page}: {@code GET /api/topics} (the first 100, with sizes and the groups reading each);</li>
 *   <li>{@code api topics all}: {@code GET /api/topics?limit=1000}, the whole list in one answer, as before paging;</li>
 *   <li>{@code api topics filter}: {@code GET /api/topics?filter=...} naming one topic;</li>
 *   <li>{@code api groups page}: {@code GET /api/groups} (the first 100 groups, their lag);</li>
 *   <li>{@code api group}: {@code GET /api/groups/{group}} (members, offsets, the lag chart's samples).</li>
 * </ol>
 * Rates are requests per second; p50 and p99 the answer times a person waits for.
 */
final class UiBench {

    private static final int PAGE = 100;

    private UiBench() {
    }

    static List<Row> run(KafkaCluster cluster, BenchSettings s, Variants.Progress progress) throws Exception {
        String prefix = "bench-ui-" + Long.toHexString(System.nanoTime()) + "-";
        List<String> topics = new ArrayList<>();
        for (int i = 0; i < s.uiTopics(); i++) {
            topics.add(String.format(java.util.Locale.ROOT, "%s%04d", prefix, i));
        }
        Admin admin = cluster.admin();
        for (int from = 0; from < topics.size(); from += 100) {
            List<NewTopic> batch = topics.subList(from, Math.min(topics.size(), from + 100)).stream()
                    .map(t -> new NewTopic(t, 3, (short) 2)).toList();
            cluster.await(admin.createTopics(batch).all(), "create " + batch.size() + " topics");
        }
        List<String> groups = new ArrayList<>();
        for (int g = 0; g < s.uiGroups(); g++) {
            String group = prefix + "group-" + g;
            String topic = topics.get(g % topics.size());
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (int p = 0; p < 3; p++) {
                offsets.put(new TopicPartition(topic, p), new OffsetAndMetadata(0));
            }
            cluster.await(admin.alterConsumerGroupOffsets(group, offsets).all(), "commit for " + group);
            groups.add(group);
        }
        progress.line("  ui: " + topics.size() + " topics, " + groups.size() + " groups");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        // a 30 s bound on the cluster instead of the UI's 5 s, so that a slow answer is timed, not cut short by a 503
        try (UiServer ui = UiServer.start(UiServer.Settings.of(cluster.bootstrapServers())
                .timeout(Duration.ofSeconds(30)))) {
            String base = ui.url() + "api/";
            String one = topics.get(topics.size() / 2);
            return new Variants("ui")
                    .add("admin topics page", "Admin: list names, describe " + PAGE + ", their start and end offsets",
                            r -> time(s, r, () -> adminPage(admin, prefix)))
                    .add("api topics page", "GET /api/topics (first " + PAGE + " of " + topics.size() + ")",
                            r -> time(s, r, () -> get(http, base + "topics")))
                    .add("api topics all", "GET /api/topics?limit=1000 (the whole list, as before paging)",
                            r -> time(s, r, () -> get(http, base + "topics?limit=1000")))
                    .add("api topics filter", "GET /api/topics?filter= one topic's name",
                            r -> time(s, r, () -> get(http, base + "topics?filter=" + enc(one))))
                    .add("api groups page", "GET /api/groups (first " + PAGE + " of " + groups.size() + " and more)",
                            r -> time(s, r, () -> get(http, base + "groups")))
                    .add("api group", "GET /api/groups/{group}",
                            r -> time(s, r, () -> get(http, base + "groups/" + enc(groups.get(0)))))
                    .run(s.repeats(), s.warmUpRounds(), progress);
        }
    }

    /** One request; returns the bytes of its answer. */
    @FunctionalInterface
    private interface Call {
        long call() throws Exception;
    }

    private static Measurement time(BenchSettings s, int repeat, Call call) throws Exception {
        int requests = Variants.records(repeat, s.uiRequests(), 5);
        long[] latencies = new long[requests];
        long bytes = 0;
        long begin = System.nanoTime();
        for (int i = 0; i < requests; i++) {
            long start = System.nanoTime();
            bytes += call.call();
            latencies[i] = System.nanoTime() - start;
        }
        return new Measurement(requests, bytes, (System.nanoTime() - begin) / 1e9, latencies, -1, -1, -1);
    }

    private static long get(HttpClient http, String uri) throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(60))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(uri + ": HTTP " + r.statusCode() + " " + new String(r.body(),
                    StandardCharsets.UTF_8));
        }
        return r.body().length;
    }

    /** What the topics page needs from Kafka at the least: the first names, described, with their offsets; 0 bytes. */
    private static long adminPage(Admin admin, String prefix) throws Exception {
        Set<String> names = new TreeSet<>(admin.listTopics().names().get());
        List<String> page = names.stream().filter(n -> n.startsWith(prefix)).limit(PAGE).toList();
        Map<String, TopicDescription> described = admin.describeTopics(page).allTopicNames().get();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        described.values().forEach(t -> t.partitions().forEach(p -> {
            earliest.put(new TopicPartition(t.name(), p.partition()), OffsetSpec.earliest());
            latest.put(new TopicPartition(t.name(), p.partition()), OffsetSpec.latest());
        }));
        admin.listOffsets(earliest).all().get();
        admin.listOffsets(latest).all().get();
        return 0; // no answer of its own to count: the MB/s column stays 0
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
