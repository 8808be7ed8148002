package io.kafkalab.examples.ui;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.DescribeLogDirsOptions;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.admin.ShareMemberDescription;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * What the screens show, read from the cluster through one {@link Admin} client and turned into the API's JSON.
 * Every call waits at most the timeout it is given; a cluster that does not answer becomes {@link ApiError} 503, an unknown
 * topic or group 404. Thread safe (the Admin client is); each call asks the cluster afresh.
 */
final class ClusterView {

    /** The bound on each Kafka call unless the UI's settings say otherwise. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    /** The bound on asking the brokers for their log directories. */
    static final Duration LOG_DIRS_TIMEOUT = Duration.ofSeconds(2);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Admin admin;
    private final String bootstrapServers;
    private final Duration timeout;
    /** Every broker id seen since the UI started: one that disappears from the cluster's answer is shown down. */
    private final Set<Integer> brokersSeen = new ConcurrentSkipListSet<>();

    ClusterView(Admin admin, String bootstrapServers, Duration timeout) {
        this.admin = admin;
        this.bootstrapServers = bootstrapServers;
        this.timeout = timeout;
    }

    /**
     * The committed offsets of every consumer group and the end offsets of their partitions, read together. For a
     * share group, "committed" is its share-partition start offset, and its lag is the one the broker reports
     * ({@code shareLags}) where it does.
     */
    record GroupOffsets(Map<String, GroupListing> groups, Map<String, Map<TopicPartition, Long>> committed,
                        Map<TopicPartition, Long> ends, Map<String, Map<TopicPartition, Long>> shareLags) {

        long lag(String group, TopicPartition tp) {
            Long reported = shareLags.getOrDefault(group, Map.of()).get(tp);
            if (reported != null) {
                return reported;
            }
            Long c = committed.getOrDefault(group, Map.of()).get(tp);
            Long e = ends.get(tp);
            return c == null || e == null ? 0 : Math.max(0, e - c);
        }

        long totalLag(String group) {
            return committed.getOrDefault(group, Map.of()).keySet().stream().mapToLong(tp -> lag(group, tp)).sum();
        }

        Map<String, Long> totalLags() {
            Map<String, Long> lags = new TreeMap<>();
            groups.keySet().forEach(g -> lags.put(g, totalLag(g)));
            return lags;
        }
    }

    // ---------------------------------------------------------------- overview and brokers

    ObjectNode overview(boolean readOnly) {
        DescribeClusterResult cluster = admin.describeCluster(clusterOptions());
        ObjectNode o = JSON.createObjectNode();
        o.put("bootstrapServers", bootstrapServers);
        o.put("clusterId", get(cluster.clusterId()));
        o.put("brokers", get(cluster.nodes()).size());
        o.put("topics", get(admin.listTopics().names()).size());
        o.put("groups", get(admin.listGroups().all()).size());
        o.put("readOnly", readOnly);
        return o;
    }

    ObjectNode brokers() {
        DescribeClusterResult cluster = admin.describeCluster(clusterOptions());
        Collection<Node> nodes = get(cluster.nodes());
        Map<String, TopicDescription> topics = describeAllTopics(true);
        Map<Integer, Node> byId = new TreeMap<>();
        nodes.forEach(n -> byId.put(n.id(), n));
        brokersSeen.addAll(byId.keySet());
        Map<Integer, int[]> counts = new HashMap<>(); // broker -> {led, replicas}
        for (TopicDescription t : topics.values()) {
            for (TopicPartitionInfo p : t.partitions()) {
                if (p.leader() != null && !p.leader().isEmpty()) {
                    counts.computeIfAbsent(p.leader().id(), k -> new int[2])[0]++;
                }
                p.replicas().forEach(r -> counts.computeIfAbsent(r.id(), k -> new int[2])[1]++);
            }
        }
        brokersSeen.addAll(counts.keySet());
        List<Integer> up = byId.values().stream().filter(n -> !n.isFenced()).map(Node::id).toList();
        Map<Integer, Long> logBytes = logBytes(up);
        ObjectNode o = JSON.createObjectNode();
        o.put("clusterId", get(cluster.clusterId()));
        ArrayNode list = o.putArray("brokers");
        for (int id : new TreeSet<>(brokersSeen)) {
            Node n = byId.get(id);
            ObjectNode b = list.addObject();
            b.put("id", id);
            b.put("host", n == null ? null : n.host());
            b.put("port", n == null ? null : n.port());
            b.put("rack", n == null ? null : n.rack());
            b.put("up", n != null && !n.isFenced());
            b.put("partitionsLed", counts.getOrDefault(id, new int[2])[0]);
            b.put("replicas", counts.getOrDefault(id, new int[2])[1]);
            Long bytes = logBytes.get(id);
            if (bytes == null) {
                b.putNull("logBytes");
            } else {
                b.put("logBytes", bytes);
            }
        }
        o.set("controller", quorum());
        return o;
    }

    private ObjectNode quorum() {
        ObjectNode q = JSON.createObjectNode();
        QuorumInfo info;
        try {
            info = get(admin.describeMetadataQuorum().quorumInfo());
        } catch (ApiError e) {
            if (e.status() == 503) {
                throw e;
            }
            q.put("error", e.getMessage());
            return q;
        }
        q.put("leaderId", info.leaderId());
        q.put("leaderEpoch", info.leaderEpoch());
        q.put("highWatermark", info.highWatermark());
        long leaderEnd = info.voters().stream().filter(v -> v.replicaId() == info.leaderId())
                .mapToLong(QuorumInfo.ReplicaState::logEndOffset).findFirst().orElse(info.highWatermark());
        ArrayNode voters = q.putArray("voters");
        for (QuorumInfo.ReplicaState v : info.voters()) {
            ObjectNode n = voters.addObject();
            n.put("id", v.replicaId());
            n.put("leader", v.replicaId() == info.leaderId());
            n.put("logEndOffset", v.logEndOffset());
            n.put("lag", Math.max(0, leaderEnd - v.logEndOffset()));
            if (v.lastCaughtUpTimestamp().isPresent()) {
                n.put("lastCaughtUp", v.lastCaughtUpTimestamp().getAsLong());
            }
        }
        q.put("observers", info.observers().size());
        return q;
    }

    /** Bytes on disk per broker, summed over its log directories; brokers that did not answer are left out. */
    private Map<Integer, Long> logBytes(List<Integer> brokers) {
        Map<Integer, Long> bytes = new HashMap<>();
        if (brokers.isEmpty()) {
            return bytes;
        }
        Map<Integer, Map<String, LogDirDescription>> dirs = logDirs(brokers);
        dirs.forEach((broker, byDir) -> bytes.put(broker, byDir.values().stream()
                .flatMap(d -> d.replicaInfos().values().stream()).mapToLong(r -> r.size()).sum()));
        return bytes;
    }

    private Map<Integer, Map<String, LogDirDescription>> logDirs(List<Integer> brokers) {
        Map<Integer, Map<String, LogDirDescription>> dirs = new HashMap<>();
        // short: a broker that answers does so in milliseconds, and one that just stopped must not hold up the page
        admin.describeLogDirs(brokers, new DescribeLogDirsOptions().timeoutMs(
                (int) Math.min(LOG_DIRS_TIMEOUT.toMillis(), timeout.toMillis())))
                .descriptions().forEach((broker, future) -> {
                    try {
                        dirs.put(broker, get(future));
                    } catch (ApiError e) {
                        // a broker that stopped a moment ago: its size is unknown, the rest still show
                    }
                });
        return dirs;
    }

    // ---------------------------------------------------------------- topics

    /**
     * One page of a long list: the items whose name contains {@code filter} (ignoring case), sorted by name, from
     * {@code offset}, at most {@code limit}.
     */
    record Page(String filter, int offset, int limit) {

        /** The most rows one page may ask for. */
        static final int MAX_LIMIT = 1000;
        /** The rows a page shows unless it asks for another number. */
        static final int DEFAULT_LIMIT = 100;

        Page {
            filter = filter == null ? "" : filter.strip().toLowerCase(java.util.Locale.ROOT);
            if (offset < 0) {
                throw ApiError.badRequest("offset must be >= 0, but was " + offset);
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                throw ApiError.badRequest("limit must be between 1 and " + MAX_LIMIT + ", but was " + limit);
            }
        }

        /** The names that match, sorted, and the page of them. */
        List<String> of(Collection<String> names, ObjectNode answer) {
            List<String> matching = names.stream().filter(n -> n.toLowerCase(java.util.Locale.ROOT).contains(filter))
                    .sorted().toList();
            answer.put("total", matching.size());
            answer.put("offset", offset);
            answer.put("limit", limit);
            answer.put("filter", filter);
            return matching.subList(Math.min(offset, matching.size()), Math.min(matching.size(),
                    (int) Math.min(Integer.MAX_VALUE, (long) offset + limit)));
        }
    }

    /**
     * A page of the topic list. Only the page's topics are described, their offsets and sizes read and the groups'
     * commits on them asked for, so what grows with a longer list is only the listing of names (topics, groups) and
     * the brokers' log directories.
     */
    ObjectNode topics(boolean includeInternal, Page page) {
        ObjectNode answer = JSON.createObjectNode();
        Set<String> all = get(admin.listTopics(new ListTopicsOptions().listInternal(includeInternal)).names());
        List<String> names = page.of(all, answer);
        Map<String, TopicDescription> topics = names.isEmpty() ? Map.of()
                : get(admin.describeTopics(names).allTopicNames());
        List<TopicPartition> partitions = topics.values().stream().flatMap(t -> t.partitions().stream()
                .map(p -> new TopicPartition(t.name(), p.partition()))).toList();
        Map<TopicPartition, Long> starts = offsets(partitions, OffsetSpec.earliest());
        Map<TopicPartition, Long> ends = offsets(partitions, OffsetSpec.latest());
        Map<TopicPartition, Long> sizes = partitionSizes(topics.values());
        // the groups reading this page's topics: every group asked, about these partitions only
        Map<String, GroupListing> listings = new TreeMap<>();
        get(admin.listGroups().all()).forEach(g -> listings.put(g.groupId(), g));
        GroupOffsets groups = groupOffsets(listings, partitions, ends);
        ArrayNode list = answer.putArray("topics");
        for (TopicDescription t : new TreeMap<>(topics).values()) {
            ObjectNode o = list.addObject();
            o.put("name", t.name());
            o.put("internal", t.isInternal());
            o.put("partitions", t.partitions().size());
            o.put("replicationFactor", t.partitions().isEmpty() ? 0 : t.partitions().get(0).replicas().size());
            o.put("underReplicated", t.partitions().stream().filter(p -> p.isr().size() < p.replicas().size()).count());
            o.put("offline", t.partitions().stream().filter(p -> p.leader() == null || p.leader().isEmpty()).count());
            long messages = 0;
            long size = 0;
            for (TopicPartitionInfo p : t.partitions()) {
                TopicPartition tp = new TopicPartition(t.name(), p.partition());
                messages += Math.max(0, ends.getOrDefault(tp, 0L) - starts.getOrDefault(tp, 0L));
                size += sizes.getOrDefault(tp, 0L);
            }
            o.put("messages", messages);
            o.put("sizeBytes", size);
            ArrayNode readers = o.putArray("groups");
            groups.committed().forEach((group, offsets) -> {
                long lag = offsets.keySet().stream().filter(tp -> tp.topic().equals(t.name()))
                        .mapToLong(tp -> groups.lag(group, tp)).sum();
                if (offsets.keySet().stream().anyMatch(tp -> tp.topic().equals(t.name()))) {
                    readers.addObject().put("id", group).put("lag", lag);
                }
            });
        }
        return answer;
    }

    ObjectNode topic(String name) {
        TopicDescription t;
        try {
            t = get(admin.describeTopics(List.of(name)).allTopicNames()).get(name);
        } catch (ApiError e) {
            throw e.status() == 404 ? ApiError.notFound("topic " + name) : e;
        }
        List<TopicPartition> partitions = t.partitions().stream().map(p -> new TopicPartition(name, p.partition()))
                .toList();
        Map<TopicPartition, Long> starts = offsets(partitions, OffsetSpec.earliest());
        Map<TopicPartition, Long> ends = offsets(partitions, OffsetSpec.latest());
        Map<TopicPartition, Long> sizes = partitionSizes(List.of(t));
        ObjectNode o = JSON.createObjectNode();
        o.put("name", name);
        o.put("internal", t.isInternal());
        o.put("topicId", t.topicId().toString());
        // the brokers holding its replicas, up or down, so this page shows a stop without a look at the brokers page
        Map<Integer, Boolean> up = brokersUp();
        ArrayNode replicaBrokers = o.putArray("brokers");
        t.partitions().stream().flatMap(p -> p.replicas().stream()).map(Node::id).distinct().sorted()
                .forEach(id -> replicaBrokers.addObject().put("id", id).put("up", up.getOrDefault(id, false)));
        ArrayNode list = o.putArray("partitions");
        for (TopicPartitionInfo p : t.partitions()) {
            TopicPartition tp = new TopicPartition(name, p.partition());
            ObjectNode n = list.addObject();
            n.put("partition", p.partition());
            n.put("leader", p.leader() == null || p.leader().isEmpty() ? null : p.leader().id());
            ArrayNode replicas = n.putArray("replicas");
            p.replicas().forEach(r -> replicas.add(r.id()));
            ArrayNode isr = n.putArray("isr");
            p.isr().forEach(r -> isr.add(r.id()));
            Set<Integer> inSync = p.isr().stream().map(Node::id).collect(Collectors.toSet());
            ArrayNode outOfSync = n.putArray("outOfSync");
            p.replicas().stream().map(Node::id).filter(r -> !inSync.contains(r)).forEach(outOfSync::add);
            n.put("startOffset", starts.getOrDefault(tp, 0L));
            n.put("endOffset", ends.getOrDefault(tp, 0L));
            n.put("messages", Math.max(0, ends.getOrDefault(tp, 0L) - starts.getOrDefault(tp, 0L)));
            n.put("sizeBytes", sizes.getOrDefault(tp, 0L));
        }
        ArrayNode configs = o.putArray("configs");
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, name);
        Config config;
        try {
            config = get(admin.describeConfigs(List.of(resource),
                    new DescribeConfigsOptions().timeoutMs((int) timeout.toMillis())).all()).get(resource);
        } catch (ApiError e) {
            if (e.status() != 403) {
                throw e;
            }
            // a user may see a topic's partitions without DESCRIBE_CONFIGS: the rest of the page still shows
            o.put("configsError", "not authorized: the UI's Kafka user may not see the configs of topic '" + name
                    + "' (DESCRIBE_CONFIGS)");
            return o;
        }
        config.entries().stream().filter(e -> e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG)
                .sorted(Comparator.comparing(ConfigEntry::name))
                .forEach(e -> configs.addObject().put("name", e.name())
                        .put("value", e.isSensitive() ? "(hidden)" : e.value()));
        return o;
    }

    /** Whether a topic exists (for the page's 404); false when the cluster cannot say. */
    boolean topicExists(String name) {
        try {
            return get(admin.listTopics(new ListTopicsOptions().listInternal(true)).names()).contains(name);
        } catch (ApiError e) {
            return true;
        }
    }

    private Map<String, TopicDescription> describeAllTopics(boolean includeInternal) {
        Set<String> names = get(admin.listTopics(new ListTopicsOptions().listInternal(includeInternal)).names());
        if (names.isEmpty()) {
            return Map.of();
        }
        return get(admin.describeTopics(names).allTopicNames());
    }

    /** The size of each partition's leader replica (one copy); a partition without an answering leader: its largest replica. */
    private Map<TopicPartition, Long> partitionSizes(Collection<TopicDescription> topics) {
        Set<Integer> brokers = new TreeSet<>();
        Map<TopicPartition, Integer> leaders = new HashMap<>();
        for (TopicDescription t : topics) {
            for (TopicPartitionInfo p : t.partitions()) {
                p.replicas().forEach(r -> brokers.add(r.id()));
                if (p.leader() != null && !p.leader().isEmpty()) {
                    leaders.put(new TopicPartition(t.name(), p.partition()), p.leader().id());
                }
            }
        }
        Set<String> names = topics.stream().map(TopicDescription::name).collect(Collectors.toSet());
        brokers.retainAll(upBrokers());
        Map<TopicPartition, Long> sizes = new HashMap<>();
        Map<TopicPartition, Long> largest = new HashMap<>();
        logDirs(new ArrayList<>(brokers)).forEach((broker, byDir) -> byDir.values().forEach(d ->
                d.replicaInfos().forEach((tp, r) -> {
                    if (!names.contains(tp.topic())) {
                        return;
                    }
                    largest.merge(tp, r.size(), Math::max);
                    if (Integer.valueOf(broker).equals(leaders.get(tp))) {
                        sizes.put(tp, r.size());
                    }
                })));
        largest.forEach(sizes::putIfAbsent);
        return sizes;
    }

    /**
     * Every broker the cluster knows or this UI saw before, and whether it is up: one the cluster fenced (stopped or
     * lost), or one that is gone from its answer, is down.
     */
    private Map<Integer, Boolean> brokersUp() {
        Map<Integer, Boolean> up = new TreeMap<>();
        for (Node n : get(admin.describeCluster(clusterOptions()).nodes())) {
            up.put(n.id(), !n.isFenced());
        }
        brokersSeen.addAll(up.keySet());
        brokersSeen.forEach(id -> up.putIfAbsent(id, false));
        return up;
    }

    private Set<Integer> upBrokers() {
        return get(admin.describeCluster(clusterOptions()).nodes()).stream().filter(n -> !n.isFenced())
                .map(Node::id).collect(Collectors.toSet());
    }

    private Map<TopicPartition, Long> offsets(Collection<TopicPartition> partitions, OffsetSpec spec) {
        if (partitions.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, OffsetSpec> request = partitions.stream().collect(Collectors.toMap(Function.identity(),
                tp -> spec, (a, b) -> a));
        ListOffsetsResult result = admin.listOffsets(request);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (TopicPartition tp : request.keySet()) {
            try {
                offsets.put(tp, get(result.partitionResult(tp)).offset());
            } catch (ApiError e) {
                if (e.status() == 503) {
                    throw e;
                }
                // an offline partition: no offsets to show
            }
        }
        return offsets;
    }

    // ---------------------------------------------------------------- consumer groups

    /** Reads every consumer group's committed offsets and their end offsets (the sampler and the lists use it). */
    GroupOffsets groupOffsets() {
        Map<String, GroupListing> groups = new TreeMap<>();
        for (GroupListing g : get(admin.listGroups().all())) {
            groups.put(g.groupId(), g);
        }
        return groupOffsets(groups, null, Map.of());
    }

    /**
     * The committed offsets of these groups and the end offsets of their partitions.
     *
     * @param only  the partitions to ask about, or null for every partition the groups committed on
     * @param ends  end offsets already read (the rest are asked for)
     */
    private GroupOffsets groupOffsets(Map<String, GroupListing> groups, Collection<TopicPartition> only,
                                      Map<TopicPartition, Long> ends) {
        if (only != null && only.isEmpty()) {
            return new GroupOffsets(groups, Map.of(), Map.of(), Map.of());
        }
        Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
        groups.values().stream().filter(ClusterView::hasOffsets)
                .forEach(g -> specs.put(g.groupId(), only == null ? new ListConsumerGroupOffsetsSpec()
                        : new ListConsumerGroupOffsetsSpec().topicPartitions(only)));
        Map<String, Map<TopicPartition, Long>> committed = new TreeMap<>();
        if (!specs.isEmpty()) {
            Map<String, Map<TopicPartition, OffsetAndMetadata>> all =
                    get(admin.listConsumerGroupOffsets(specs).all());
            all.forEach((group, offsets) -> {
                Map<TopicPartition, Long> m = new TreeMap<>(Comparator.comparing(TopicPartition::topic)
                        .thenComparingInt(TopicPartition::partition));
                offsets.forEach((tp, om) -> {
                    if (om != null) {
                        m.put(tp, om.offset());
                    }
                });
                committed.put(group, m);
            });
        }
        Map<String, Map<TopicPartition, Long>> shareLags = new TreeMap<>();
        Map<String, ListShareGroupOffsetsSpec> shareSpecs = new HashMap<>();
        groups.values().stream().filter(ClusterView::isShare)
                .forEach(g -> shareSpecs.put(g.groupId(), only == null ? new ListShareGroupOffsetsSpec()
                        : new ListShareGroupOffsetsSpec().topicPartitions(only)));
        if (!shareSpecs.isEmpty()) {
            get(admin.listShareGroupOffsets(shareSpecs).all()).forEach((group, offsets) -> {
                Map<TopicPartition, Long> starts = new TreeMap<>(Comparator.comparing(TopicPartition::topic)
                        .thenComparingInt(TopicPartition::partition));
                Map<TopicPartition, Long> lags = new HashMap<>();
                offsets.forEach((tp, info) -> {
                    if (info != null) {
                        starts.put(tp, info.startOffset());
                        info.lag().ifPresent(lag -> lags.put(tp, lag));
                    }
                });
                committed.put(group, starts);
                shareLags.put(group, lags);
            });
        }
        Set<TopicPartition> partitions = new HashSet<>();
        committed.values().forEach(m -> partitions.addAll(m.keySet()));
        Map<TopicPartition, Long> allEnds = new HashMap<>(ends);
        partitions.removeAll(ends.keySet());
        allEnds.putAll(offsets(partitions, OffsetSpec.latest()));
        return new GroupOffsets(groups, committed, allEnds, shareLags);
    }

    private static boolean hasOffsets(GroupListing g) {
        GroupType type = g.type().orElse(GroupType.CLASSIC);
        return type == GroupType.CLASSIC || type == GroupType.CONSUMER;
    }

    private static boolean isShare(GroupListing g) {
        return g.type().orElse(GroupType.CLASSIC) == GroupType.SHARE;
    }

    /** A page of the group list: only the page's groups' offsets are read. */
    ObjectNode groups(Page page) {
        ObjectNode answer = JSON.createObjectNode();
        Map<String, GroupListing> all = new HashMap<>();
        for (GroupListing g : get(admin.listGroups().all())) {
            all.put(g.groupId(), g);
        }
        Map<String, GroupListing> shown = new TreeMap<>();
        page.of(all.keySet(), answer).forEach(id -> shown.put(id, all.get(id)));
        GroupOffsets offsets = groupOffsets(shown, null, Map.of());
        ArrayNode list = answer.putArray("groups");
        offsets.groups().values().forEach(g -> {
            ObjectNode o = list.addObject();
            o.put("id", g.groupId());
            o.put("state", g.groupState().map(Enum::toString).orElse("Unknown"));
            o.put("type", g.type().map(Enum::toString).orElse("Unknown"));
            Set<String> topics = new TreeSet<>();
            offsets.committed().getOrDefault(g.groupId(), Map.of()).keySet().forEach(tp -> topics.add(tp.topic()));
            ArrayNode t = o.putArray("topics");
            topics.forEach(t::add);
            o.put("lag", offsets.totalLag(g.groupId()));
        });
        return answer;
    }

    ObjectNode group(String id, List<LagHistory.Sample> history) {
        GroupOffsets offsets = groupOffsets();
        GroupListing listing = offsets.groups().get(id);
        if (listing == null) {
            throw ApiError.notFound("consumer group " + id);
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("id", id);
        o.put("state", listing.groupState().map(Enum::toString).orElse("Unknown"));
        o.put("type", listing.type().map(Enum::toString).orElse("Unknown"));
        o.put("protocol", listing.protocol());
        ArrayNode members = o.putArray("members");
        if (hasOffsets(listing)) {
            ConsumerGroupDescription d = described(admin.describeConsumerGroups(List.of(id)).describedGroups().get(id), id);
            o.put("coordinator", d.coordinator() == null ? null : d.coordinator().id());
            o.put("assignor", d.partitionAssignor());
            for (MemberDescription m : d.members()) {
                member(members, m.consumerId(), m.clientId(), m.host(), m.assignment().topicPartitions());
            }
        } else if (isShare(listing)) {
            ShareGroupDescription d = described(admin.describeShareGroups(List.of(id)).describedGroups().get(id), id);
            o.put("coordinator", d.coordinator() == null ? null : d.coordinator().id());
            for (ShareMemberDescription m : d.members()) {
                member(members, m.consumerId(), m.clientId(), m.host(), m.assignment().topicPartitions());
            }
        }
        ArrayNode parts = o.putArray("offsets");
        offsets.committed().getOrDefault(id, Map.of()).forEach((tp, committed) -> {
            ObjectNode n = parts.addObject();
            n.put("topic", tp.topic());
            n.put("partition", tp.partition());
            n.put("committed", committed);
            Long end = offsets.ends().get(tp);
            n.put("end", end);
            n.put("lag", offsets.lag(id, tp));
        });
        o.put("lag", offsets.totalLag(id));
        ArrayNode h = o.putArray("history");
        history.forEach(s -> h.addArray().add(s.timeMillis()).add(s.lag()));
        return o;
    }

    /** A group's description; a group gone since it was listed is a 404. */
    private <T> T described(KafkaFuture<T> description, String id) {
        try {
            return get(description);
        } catch (ApiError e) {
            throw e.status() == 404 ? ApiError.notFound("consumer group " + id) : e;
        }
    }

    private static void member(ArrayNode members, String memberId, String clientId, String host,
                               Set<TopicPartition> assigned) {
        ObjectNode n = members.addObject();
        n.put("memberId", memberId);
        n.put("clientId", clientId);
        n.put("host", host);
        ArrayNode parts = n.putArray("partitions");
        assigned.stream().sorted(Comparator.comparing(TopicPartition::topic)
                .thenComparingInt(TopicPartition::partition)).forEach(tp -> parts.add(tp.toString()));
    }

    /** Whether a group exists (for the page's 404); true when the cluster cannot say. */
    boolean groupExists(String id) {
        try {
            return get(admin.listGroups().all()).stream().anyMatch(g -> g.groupId().equals(id));
        } catch (ApiError e) {
            return true;
        }
    }

    // ---------------------------------------------------------------- plumbing

    private DescribeClusterOptions clusterOptions() {
        return new DescribeClusterOptions().includeFencedBrokers(true).timeoutMs((int) timeout.toMillis());
    }

    /**
     * Waits for an Admin answer.
     *
     * @throws ApiError 503 when the cluster does not answer in time, 404 for an unknown topic or group, 403 for
     *                  what the UI's Kafka user may not see, 502 for another error the cluster gave
     */
    <T> T get(KafkaFuture<T> future) {
        try {
            return future.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "interrupted");
        } catch (TimeoutException e) {
            throw unreachable();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw unreachable();
            }
            if (cause instanceof UnknownTopicOrPartitionException || cause instanceof GroupIdNotFoundException) {
                throw new ApiError(404, "not found");
            }
            if (cause instanceof org.apache.kafka.common.errors.AuthorizationException refused) {
                throw ApiError.notAuthorized(refused);
            }
            throw new ApiError(502, "the cluster refused: " + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
        }
    }

    private ApiError unreachable() {
        return unreachable(timeout);
    }

    /** The 503 for a cluster that did not answer within a time. */
    static ApiError unreachable(Duration timeout) {
        return new ApiError(503, "the cluster did not answer within " + (timeout.toMillis() % 1000 == 0
                ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms"));
    }
}
