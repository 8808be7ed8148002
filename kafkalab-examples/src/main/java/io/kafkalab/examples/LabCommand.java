package io.kafkalab.examples;

import io.kafkalab.consumer.CommitPolicy;
import io.kafkalab.consumer.ConsumerRunner;
import io.kafkalab.consumer.ConsumerRunnerListener;
import io.kafkalab.consumer.share.ShareConsumerRunner;
import io.kafkalab.consumer.share.ShareGroups;
import io.kafkalab.message.CustomMessage;
import io.kafkalab.message.CustomMessageDeserializer;
import io.kafkalab.producer.DeliveryGuarantee;
import io.kafkalab.producer.Producers;
import io.kafkalab.producer.SendSummary;
import io.kafkalab.producer.SendTracker;
import io.kafkalab.testkit.BrokerStatus;
import io.kafkalab.testkit.EmbeddedKafkaCluster;
import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.SharedPartitionsAssignor;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kafkalab lab}: the whole lab in one command. A 3-broker cluster (and one controller), topic {@code topic} with 3 partitions
 * and replication factor 2, 100 CustomMessages keyed by user id produced at least once, two single-message
 * consumers in {@code single-group}, two batch consumers in {@code batch-group} committing every 10, two share
 * consumers in the share group {@code share-group} (KIP-932: both read every partition, the broker hands each message
 * to one of them), and a summary counted from what the consumers actually received.
 */
@Command(name = "lab", mixinStandardHelpOptions = true,
        description = {"Run the whole lab end to end: cluster, topic, producer, two single-message consumers "
                + "(single-group), two batch consumers (batch-group) committing every 10 messages, and two share "
                + "consumers (share-group, KIP-932) that read the same partitions and split the messages.",
            "Ends with one line SUMMARY produced=.. acked=.. single-group=.. batch-group=.. lost=.. duplicates=..; "
                    + "exit code 0 only when nothing was lost."})
final class LabCommand implements Callable<Integer> {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LabCommand.class);

    @Option(names = {"-b", "--bootstrap-servers"}, defaultValue = "${env:KAFKA_BOOTSTRAP_SERVERS}",
            description = "Use this cluster (env KAFKA_BOOTSTRAP_SERVERS) instead of starting a 3-broker one in this JVM.")
    String bootstrapServers;

    @Option(names = {"-t", "--topic"}, defaultValue = "${env:KAFKA_TOPIC:-topic}",
            description = "Topic (env KAFKA_TOPIC; default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--messages", defaultValue = "100", description = "Messages to produce (default: ${DEFAULT-VALUE}).")
    int messages;

    @Option(names = "--timeout", defaultValue = "60s", converter = DurationConverter.class,
            description = "How long the consumers may take to receive everything (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--ui", description = "Also serve the UI (./kafkalab ui) for the lab's cluster on 127.0.0.1, from "
            + "its start; after the SUMMARY the cluster and the UI keep running until Ctrl-C.")
    boolean ui;

    @Option(names = "--ui-port", defaultValue = "8080",
            description = "The UI's port with --ui (default: ${DEFAULT-VALUE}; 0 picks one).")
    int uiPort;

    @Option(names = "--security", paramLabel = "sasl-ssl|sasl-plaintext",
            description = "Run the lab on a secured cluster: SCRAM users with passwords new each run, Kafka's "
                    + "StandardAuthorizer and ACLs (as ./kafkalab cluster --security); the lab's producer and "
                    + "consumers run as alice, then bob's write and carol's read are refused and bob reads in a "
                    + "bob- group. In this JVM only (not with --bootstrap-servers).")
    String security;

    @Spec
    CommandSpec spec;

    /** With {@code --security}: the users and ACLs, else null. */
    private LabSecurity secured;
    /** With {@code --security}: the cluster, for each user's client config. */
    private EmbeddedKafkaCluster securedCluster;

    /**
     * The UI of {@code --ui}: started with the cluster; after the SUMMARY it keeps the command (so the cluster)
     * running until Ctrl-C, and the shutdown hook waits until the cluster is closed (the JVM halts once hooks return).
     */
    private static final class LabUi {
        private io.kafkalab.examples.ui.UiServer server;
        private final java.util.concurrent.CountDownLatch interrupted = new java.util.concurrent.CountDownLatch(1);
        private final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);

        void start(int port, KafkaCluster cluster, boolean secured, PrintWriter out) {
            io.kafkalab.examples.ui.UiServer.Settings settings = io.kafkalab.examples.ui.UiServer.Settings.of(
                    cluster.bootstrapServers()).at("127.0.0.1", port);
            if (secured) {
                settings = settings.withClientConfig(cluster.adminConfig()); // as admin, the super user
            }
            try {
                server = io.kafkalab.examples.ui.UiServer.start(settings);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("--ui: cannot listen on 127.0.0.1:" + port + " (" + e.getMessage()
                        + "): is another UI running? Try --ui-port 0");
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                interrupted.countDown();
                try {
                    done.await(60, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "kafkalab-lab-ui-shutdown"));
            out.println("  UI: " + server.url());
            out.println();
            out.flush();
        }

        /** Without a UI, returns at once; with one, waits for Ctrl-C, then stops the UI. */
        int keepRunning(int code, PrintWriter out) throws InterruptedException {
            if (server == null) {
                return code;
            }
            out.println("The cluster and the UI keep running: " + server.url() + " (Ctrl-C stops them)");
            out.flush();
            interrupted.await();
            server.close();
            return code;
        }

        /** Once the cluster is closed. */
        void done() {
            done.countDown();
        }
    }

    /** What one consumer received. */
    private static final class Received {
        final String name;
        final String group;
        final Set<Integer> partitions = new TreeSet<>();
        final Set<String> users = new TreeSet<>();
        final Map<Integer, List<Long>> commits = new TreeMap<>();
        final Set<Integer> assignment = new TreeSet<>();
        final List<String> values = new ArrayList<>();
        volatile boolean assigned;

        Received(String name, String group) {
            this.name = name;
            this.group = group;
        }

        synchronized void add(ConsumerRecord<String, CustomMessage> r) {
            partitions.add(r.partition());
            users.add(r.value().key());
            values.add(r.value().value());
        }

        synchronized int count() {
            return values.size();
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        if (bootstrapServers != null && !bootstrapServers.isBlank()) {
            if (security != null) {
                throw new IllegalArgumentException("--security starts a secured cluster in this JVM, with users and "
                        + "passwords of its own: it does not go with --bootstrap-servers");
            }
            ClusterCheck.check(bootstrapServers, Map.of());
        }
        secured = security != null ? LabSecurity.of(security) : null;
        String run = UUID.randomUUID().toString().substring(0, 8);
        out.println("== The Kafka lab, end to end (run " + run + ")");
        out.println();
        LabUi web = new LabUi();
        try (KafkaCluster cluster = cluster(out)) {
            if (ui) {
                web.start(uiPort, cluster, secured != null, out);
            }
            out.println("== 2. Topic '" + topic + "': 3 partitions, replication factor 2");
            if (cluster.listTopics().contains(topic)) {
                out.println("(exists already; using it)");
            } else {
                cluster.createTopic(topic, 3, 2);
            }
            out.println(cluster.describeTopic(topic));
            out.println();

            out.println("== 3. Consumers: 2 single-message consumers in single-group, 2 batch consumers in batch-group,"
                    + " 2 share consumers in share-group");
            List<Received> received = List.of(new Received("single-consumer-1", "single-group"),
                    new Received("single-consumer-2", "single-group"), new Received("batch-consumer-1", "batch-group"),
                    new Received("batch-consumer-2", "batch-group"), new Received("share-consumer-1", SHARE_GROUP),
                    new Received("share-consumer-2", SHARE_GROUP));
            String tag = " (run " + run + ")";
            // a share group takes its start from a group config, not from the consumer's auto.offset.reset
            ShareGroups.autoOffsetReset(cluster.admin(), SHARE_GROUP, "earliest", Duration.ofSeconds(30));
            List<Predicate<Duration>> runners = new ArrayList<>();
            // the producer connects and gets its producer id while the consumers join
            CompletableFuture<Producer<String, CustomMessage>> producer = CompletableFuture.supplyAsync(
                    () -> Producers.create(DeliveryGuarantee.AT_LEAST_ONCE, client(cluster, "alice"),
                            new StringSerializer(), CustomMessage.serde().serializer()));
            try {
                for (Received r : received) {
                    if (r.group.equals(SHARE_GROUP)) {
                        runners.add(shareConsumer(cluster, r, tag).start()::close);
                    } else {
                        runners.add(consumer(cluster, r, tag).start()::close);
                    }
                }
                // both share consumers must be members before the messages come, or the first one takes them all
                // (a cluster's first share group takes seconds to initialize its partitions' state)
                if (!waitFor(() -> received.stream().filter(r -> !r.group.equals(SHARE_GROUP))
                        .allMatch(r -> r.assigned) && shareAssignments(cluster, received), timeout)) {
                    out.println("the consumers did not all get partitions within " + timeout.toSeconds() + " s");
                }
                for (Received r : received) {
                    synchronized (r) {
                        out.println("  " + r.name + " (" + r.group + ") assigned partitions " + r.assignment);
                    }
                }
                out.println();

                out.println("== 4. Producer: " + messages + " CustomMessages keyed by user id 0-9, AT_LEAST_ONCE "
                        + "(acks=all, idempotence, retries bounded by delivery.timeout.ms)");
                SendSummary sent = produce(created(producer), tag);
                out.println("  " + sent);
                out.println();

                long acked = sent.acknowledged();
                waitFor(() -> GROUPS.stream().allMatch(g -> distinct(received, g) >= acked), timeout);
            } finally {
                Producer<String, CustomMessage> created = producer.handle((p, e) -> p).join(); // null if it failed
                if (created != null) {
                    created.close();
                }
                // each commits (or acknowledges) what it has processed and leaves its group; all six at once
                CompletableFuture.allOf(runners.stream().map(runner -> CompletableFuture.runAsync(
                        () -> runner.test(Duration.ofSeconds(30)), LabCommand::runOnNewThread))
                        .toArray(CompletableFuture[]::new)).join();
            }

            out.println("== 5. What each consumer got (one partition holds the same users every time; the share"
                    + " consumers both read every partition)");
            for (Received r : received) {
                out.printf("  %-18s %-13s partitions %-10s users %-22s messages %d%n", r.name, r.group, r.partitions,
                        r.users, r.count());
            }
            out.println("  split between the two members: " + GROUPS.stream().map(g -> g + " " + split(received, g))
                    .collect(Collectors.joining(", ")));
            out.println("  batch-group commits (every 10 messages, by hand; the last on close):");
            for (Received r : received) {
                if (r.group.equals("batch-group")) {
                    out.printf("    %s: %s%n", r.name, r.commits.isEmpty() ? "none" : r.commits.entrySet().stream()
                            .map(e -> "partition " + e.getKey() + " at offsets " + e.getValue().stream()
                                    .map(String::valueOf).collect(Collectors.joining(", ")))
                            .collect(Collectors.joining("; ")));
                }
            }
            out.println();
            boolean asAllowed = secured == null || showAuthorization(cluster, out, tag);
            int code = summary(out, received);
            return web.keepRunning(asAllowed ? code : 1, out);
        } finally {
            web.done();
        }
    }

    private static final String SHARE_GROUP = "share-group";
    private static final List<String> GROUPS = List.of("single-group", "batch-group", SHARE_GROUP);

    private int produced;
    private long acknowledged;

    private KafkaCluster cluster(PrintWriter out) {
        if (bootstrapServers != null && !bootstrapServers.isBlank()) {
            out.println("== 1. Cluster at " + bootstrapServers);
            KafkaCluster cluster = KafkaCluster.connect(bootstrapServers);
            cluster.status().forEach(s -> out.println("  " + s));
            out.println();
            return cluster;
        }
        // A controller of its own, not the docker-compose layout of three broker+controller nodes: the last of
        // those waits out Kafka's 5 s graceful Raft shutdown at close, without a quorum to hand over to.
        out.println("== 1. Cluster: starting 3 KRaft brokers and their KRaft controller in this JVM");
        out.flush();
        // share groups: every member gets every partition (Kafka 4.4's own assignor gives two members of three
        // partitions two and one, so they would split the messages by partition, as a consumer group does)
        EmbeddedKafkaCluster.Builder builder = EmbeddedKafkaCluster.builder().brokers(3)
                .topology(EmbeddedKafkaCluster.Topology.DEDICATED_CONTROLLER)
                .brokerProperty(SharedPartitionsAssignor.BROKER_CONFIG, SharedPartitionsAssignor.class.getName())
                // the share group's state topic exists before the share group does: else its first initialization
                // meets the topic being created and retries after 1 s, and the share consumers wait for it
                .createInternalTopics()
                // a new share group's assignment is recomputed every 100 ms, not every 1 s
                // and a member hears of its partitions at its next heartbeat: every 0.2 s
                .brokerProperty("group.share.assignment.interval.ms", "100")
                .brokerProperty("group.share.min.heartbeat.interval.ms", "200")
                .brokerProperty("group.share.heartbeat.interval.ms", "200");
        if (secured != null) {
            builder.security(secured.clusterSecurity());
        }
        EmbeddedKafkaCluster cluster = builder.start();
        securedCluster = secured != null ? cluster : null;
        for (BrokerStatus s : cluster.status()) {
            out.println("  " + s);
        }
        out.println("  bootstrap.servers=" + cluster.bootstrapServers());
        if (secured != null) {
            out.println("  secured: " + secured.protocol() + ", SCRAM-SHA-512 users with passwords new this run, "
                    + "StandardAuthorizer (allow.everyone.if.no.acl.found=false); the lab runs as alice");
            for (LabSecurity.User user : LabSecurity.USERS) {
                out.printf("    %-6s %s%n", user.name(), user.may());
            }
        }
        out.println();
        return cluster;
    }

    /**
     * @return what a client of the lab needs to connect: the cluster's own (admin) settings, or with
     *         {@code --security} those of {@code user}
     */
    private Map<String, Object> client(KafkaCluster cluster, String user) {
        return new HashMap<>(secured == null ? cluster.adminConfig()
                : securedCluster.clientConfig(secured.protocol(), user));
    }

    private ConsumerRunner<String, CustomMessage> consumer(KafkaCluster cluster, Received r, String tag) {
        Map<String, Object> config = client(cluster, "alice");
        config.put("group.id", r.group);
        config.put("auto.offset.reset", "earliest");
        // when the second consumer of a group joins, the first learns of the rebalance at its next heartbeat:
        // every 0.5 s instead of every 3 s, Kafka's default, so that both have partitions within a second
        config.put("heartbeat.interval.ms", 500);
        ConsumerRunner.Builder<String, CustomMessage> builder = ConsumerRunner
                .builder(config, new StringDeserializer(), new CustomMessageDeserializer())
                .topics(topic).name(r.name)
                .listener(new ConsumerRunnerListener() {
                    @Override
                    public void onAssigned(Collection<TopicPartition> partitions) {
                        synchronized (r) {
                            partitions.forEach(tp -> r.assignment.add(tp.partition()));
                        }
                        r.assigned = !partitions.isEmpty() || r.assigned;
                    }

                    @Override
                    public void onRevoked(Collection<TopicPartition> partitions) {
                        synchronized (r) {
                            partitions.forEach(tp -> r.assignment.remove(tp.partition()));
                        }
                    }

                    @Override
                    public void onLost(Collection<TopicPartition> partitions) {
                        onRevoked(partitions);
                    }

                    @Override
                    public void onCommitted(Map<TopicPartition, OffsetAndMetadata> offsets) {
                        synchronized (r) {
                            offsets.forEach((tp, o) -> r.commits.computeIfAbsent(tp.partition(), p -> new ArrayList<>())
                                    .add(o.offset()));
                        }
                    }
                });
        if (r.group.equals("single-group")) {
            // the lab's single-message consumer: one message at a time, Kafka's auto-commit
            return builder.commitPolicy(CommitPolicy.kafkaAutoCommit(Duration.ofSeconds(1)))
                    .records(m -> keep(r, m, tag));
        }
        // the lab's batch consumer: batches of 10, commit by hand every 10 messages
        return builder.commitPolicy(CommitPolicy.everyRecords(10))
                .batches(10, batch -> batch.forEach(m -> keep(r, m, tag)));
    }

    private ShareConsumerRunner<String, CustomMessage> shareConsumer(KafkaCluster cluster, Received r, String tag) {
        Map<String, Object> config = client(cluster, "alice");
        config.put("group.id", r.group);
        // at most 10 messages per poll and per acquisition, so that one member never takes a whole batch of a
        // partition while the other waits; a fetch that finds nothing to acquire (the other member holds what is
        // left) waits 50 ms for more, not Kafka's 500 ms, so that the last messages are not half a second late
        config.put("max.poll.records", 10);
        config.put("share.acquire.mode", "record_limit");
        config.put("fetch.max.wait.ms", 50);
        return ShareConsumerRunner.builder(config, new StringDeserializer(), new CustomMessageDeserializer())
                .topics(topic).name(r.name)
                .records(m -> keep(r, m, tag));
    }

    /**
     * Whether both share consumers are members with partitions, as the group coordinator says; a share consumer has no
     * rebalance callback. Records them in {@link Received#assignment}.
     */
    private static boolean shareAssignments(KafkaCluster cluster, List<Received> received) {
        Map<String, Set<Integer>> byClient = new HashMap<>();
        try {
            cluster.admin().describeShareGroups(List.of(SHARE_GROUP)).all()
                    .get(5, java.util.concurrent.TimeUnit.SECONDS).get(SHARE_GROUP).members()
                    .forEach(m -> byClient.put(m.clientId(), m.assignment().topicPartitions().stream()
                            .map(TopicPartition::partition).collect(Collectors.toCollection(TreeSet::new))));
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        boolean all = true;
        for (Received r : received) {
            if (r.group.equals(SHARE_GROUP)) {
                Set<Integer> partitions = byClient.getOrDefault(r.name, Set.of());
                synchronized (r) {
                    r.assignment.clear();
                    r.assignment.addAll(partitions);
                }
                all &= !partitions.isEmpty();
            }
        }
        return all;
    }

    /** @return how a group's messages split between its two members, in per cent, for example {@code 52/48} */
    private static String split(List<Received> received, String group) {
        List<Integer> counts = received.stream().filter(r -> r.group.equals(group)).map(Received::count).toList();
        int total = counts.stream().mapToInt(Integer::intValue).sum();
        return total == 0 ? "-" : counts.stream().map(c -> String.valueOf(Math.round(100.0 * c / total)))
                .collect(Collectors.joining("/"));
    }

    /** Keeps this run's messages; on a shared cluster a topic may hold earlier runs' too. */
    private static void keep(Received r, ConsumerRecord<String, CustomMessage> m, String tag) {
        if (m.value().value().endsWith(tag)) {
            r.add(m);
        }
    }

    /** @return the producer once created; a failure to create it as thrown by {@code Producers.create} */
    private static Producer<String, CustomMessage> created(CompletableFuture<Producer<String, CustomMessage>> producer) {
        try {
            return producer.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private SendSummary produce(Producer<String, CustomMessage> producer, String tag) {
        SendTracker tracker = new SendTracker();
        for (int i = 0; i < messages; i++) {
            String user = String.valueOf(i % 10);
            tracker.send(producer, new ProducerRecord<>(topic, user,
                    new CustomMessage(user, "message " + i + " from user " + user + tag)));
        }
        producer.flush();
        SendSummary summary = tracker.await(Duration.ofSeconds(120));
        produced = messages;
        acknowledged = summary.acknowledged();
        return summary;
    }

    /**
     * With {@code --security}, after the lab's own run as alice: bob's write refused, carol's read refused, bob's
     * read in a {@code bob-} group allowed, each as one line.
     *
     * @return whether each was refused or allowed as the ACLs say
     */
    private boolean showAuthorization(KafkaCluster cluster, PrintWriter out, String tag) throws InterruptedException {
        out.println("== 6. Authorization: the same topic as bob and carol");
        boolean asAllowed = true;
        io.kafkalab.NotAuthorizedException refused;
        try (Producer<String, CustomMessage> producer = Producers.create(DeliveryGuarantee.AT_LEAST_ONCE,
                client(cluster, "bob"), new StringSerializer(), CustomMessage.serde().serializer())) {
            refused = refusal(() -> Producers.send(producer, new ProducerRecord<>(topic, "0",
                    new CustomMessage("0", "bob was here" + tag))).get(30, java.util.concurrent.TimeUnit.SECONDS));
        }
        out.println("  bob   writes:                  " + (refused != null ? "refused, " + refused.getMessage()
                : "not refused (not as the ACLs say)"));
        asAllowed &= refused != null;

        io.kafkalab.NotAuthorizedException carolDenied;
        ConsumerRunner<String, CustomMessage> carol = ConsumerRunner.builder(read(cluster, "carol", "carol-lab"),
                new StringDeserializer(), new CustomMessageDeserializer()).topics(topic).name("carol-consumer")
                .records(m -> { }).start();
        try {
            boolean ended = carol.awaitTermination(Duration.ofSeconds(30));
            carolDenied = io.kafkalab.NotAuthorizedException.in(carol.failure());
            out.println("  carol reads in carol-lab:      " + (carolDenied != null ? "refused, " + carolDenied.getMessage()
                    : ended ? "ended without a refusal (not as the ACLs say)" : "not refused within 30 s (not as the ACLs say)"));
            asAllowed &= carolDenied != null;
        } finally {
            carol.close(Duration.ofSeconds(10));
        }

        Received bob = new Received("bob-consumer", "bob-lab");
        ConsumerRunner<String, CustomMessage> reader = ConsumerRunner.builder(read(cluster, "bob", "bob-lab"),
                new StringDeserializer(), new CustomMessageDeserializer()).topics(topic).name(bob.name)
                .records(m -> keep(bob, m, tag)).start();
        try {
            waitFor(() -> bob.count() >= acknowledged || !reader.isRunning(), timeout);
        } finally {
            reader.close(Duration.ofSeconds(10));
        }
        io.kafkalab.NotAuthorizedException denied = io.kafkalab.NotAuthorizedException.in(reader.failure());
        out.println("  bob   reads in bob-lab:        " + (denied != null ? "refused (not as the ACLs say), "
                + denied.getMessage() : "allowed, " + bob.count() + " of " + acknowledged + " messages"));
        asAllowed &= denied == null && bob.count() >= acknowledged;
        out.println("AUTHORIZATION bob-write=" + (refused != null ? "refused" : "allowed") + " carol-read="
                + (carolDenied != null ? "refused" : "allowed") + " bob-read=" + bob.count());
        out.println();
        return asAllowed;
    }

    /** A send that Kafka should refuse. */
    @FunctionalInterface
    private interface Attempt {
        void run() throws Exception;
    }

    /** @return the refusal, or null when the attempt went through or failed for another reason (logged) */
    private static io.kafkalab.NotAuthorizedException refusal(Attempt attempt) throws InterruptedException {
        try {
            attempt.run();
            return null;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            io.kafkalab.NotAuthorizedException denied = io.kafkalab.NotAuthorizedException.in(e);
            if (denied == null) {
                LOG.warn("bob's write failed, but not as refused: {}", e.toString());
            }
            return denied;
        }
    }

    private Map<String, Object> read(KafkaCluster cluster, String user, String group) {
        Map<String, Object> config = client(cluster, user);
        config.put("group.id", group);
        config.put("auto.offset.reset", "earliest");
        return config;
    }

    private int summary(PrintWriter out, List<Received> received) {
        int singleDistinct = distinct(received, "single-group");
        int batchDistinct = distinct(received, "batch-group");
        long lost = 0;
        long duplicates = 0;
        out.println("== Summary");
        out.printf("  %-12s %8s %8s %8s%n", "", "received", "distinct", "lost");
        for (String group : GROUPS) {
            int distinct = distinct(received, group);
            int total = total(received, group);
            lost += Math.max(0, acknowledged - distinct);
            duplicates += total - distinct;
            out.printf("  %-12s %8d %8d %8d%n", group, total, distinct, Math.max(0, acknowledged - distinct));
        }
        out.printf("SUMMARY produced=%d acked=%d single-group=%d batch-group=%d lost=%d duplicates=%d%n", produced,
                acknowledged, singleDistinct, batchDistinct, lost, duplicates);
        out.flush();
        return lost == 0 && acknowledged == produced ? 0 : 1;
    }

    private static int distinct(List<Received> received, String group) {
        Set<String> all = new TreeSet<>();
        for (Received r : received) {
            if (r.group.equals(group)) {
                synchronized (r) {
                    all.addAll(r.values);
                }
            }
        }
        return all.size();
    }

    private static int total(List<Received> received, String group) {
        return received.stream().filter(r -> r.group.equals(group)).mapToInt(Received::count).sum();
    }

    private static void runOnNewThread(Runnable task) {
        Thread t = new Thread(task, "kafkalab-lab-close");
        t.setDaemon(true);
        t.start();
    }

    /** Waits for a condition, checking every 10 ms, up to {@code timeout}. */
    private static boolean waitFor(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Object lock = new Object();
        synchronized (lock) {
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                lock.wait(10);
            }
        }
        return true;
    }
}
