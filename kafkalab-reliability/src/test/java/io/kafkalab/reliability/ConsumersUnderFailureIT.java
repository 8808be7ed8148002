package io.kafkalab.reliability;

import static org.awaitility.Awaitility.await;

import io.kafkalab.consumer.ConsumerRunner;
import io.kafkalab.consumer.ConsumerRunnerListener;
import io.kafkalab.producer.DeliveryGuarantee;
import io.kafkalab.producer.Producers;
import io.kafkalab.testkit.JvmProcess;
import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer's half of at-least-once, for every commit policy at once (one topic and group per
 * {@link PolicyCase}, all under the same faults): runners killed with SIGKILL mid-batch and restarted, a
 * rebalance storm, and a restart of the group's coordinator broker under running consumers.
 */
@KafkaTest(brokers = 3)
class ConsumersUnderFailureIT {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumersUnderFailureIT.class);

    static final int PARTITIONS = 3;
    static final int KILL_MESSAGES = 1_600;
    /** Each child runner blocks after this many records, half way through (but see {@link #blockAt}). */
    static final int BLOCK_AT = 800;
    static final int STORM_CHUNK = 400;
    static final int BROKER_CHUNK = 500;
    /** How long the blocked runners' commits get to land before the kill. */
    static final Duration COMMITS_LAND = Duration.ofSeconds(30);

    /**
     * When a policy's child runner blocks. {@code afterEachRecord} ASYNC sends one {@code commitAsync} per record,
     * far faster than the consumer completes them (about 20 a second here, while the handler blocks): after 800
     * records hundreds would still be queued when the process dies. It blocks after 100, so that its commits land
     * within {@link #COMMITS_LAND} and its bound is the policy's.
     */
    static int blockAt(PolicyCase c) {
        return c == PolicyCase.AFTER_EACH_RECORD_ASYNC ? 100 : BLOCK_AT;
    }

    enum Phase { KILL, STORM, BROKER }

    private final List<JvmProcess> children = new ArrayList<>();
    private final List<ConsumerRunner<String, String>> runners = new CopyOnWriteArrayList<>();
    private final ExecutorService closer = Executors.newFixedThreadPool(PolicyCase.values().length);

    @AfterEach
    void cleanUp() {
        children.forEach(JvmProcess::close);
        closeAll(runners);
        closer.shutdownNow();
    }

    /** What one policy saw: deliveries per message, duplicates and lost partitions per phase. */
    static final class Ledger {
        final PolicyCase policy;
        final String topic;
        final String group;
        final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        final AtomicLongArray duplicates = new AtomicLongArray(Phase.values().length);
        final AtomicLongArray lostPartitions = new AtomicLongArray(Phase.values().length);
        final AtomicLongArray revocations = new AtomicLongArray(Phase.values().length);
        final AtomicLongArray messages = new AtomicLongArray(Phase.values().length);
        volatile Phase phase = Phase.KILL;
        /** Each produced value's phase, to count what was never delivered. */
        final Map<String, Phase> producedIn = new ConcurrentHashMap<>();
        int produced;
        long expectedKillDuplicates;
        long killBound;

        Ledger(PolicyCase policy, String topic, String group) {
            this.policy = policy;
            this.topic = topic;
            this.group = group;
        }

        void deliver(String value) {
            if (seen.computeIfAbsent(value, v -> new AtomicInteger()).incrementAndGet() > 1) {
                duplicates.incrementAndGet(phase.ordinal());
            }
        }

        boolean caughtUp() {
            return seen.size() == produced;
        }

        /**
         * @return whether this policy's consumers are done: every message delivered, or the group has committed up
         *     to the end of the topic (or past it), so that a message it skipped shows as lost
         *     instead of a wait that times out
         */
        boolean settled(KafkaCluster cluster) {
            if (caughtUp()) {
                return true;
            }
            Map<TopicPartition, Long> committed = KafkaTestUtils.committedOffsets(cluster, group);
            return KafkaTestUtils.endOffsets(cluster, topic).entrySet().stream()
                    .allMatch(e -> committed.getOrDefault(e.getKey(), 0L) >= e.getValue());
        }

        /** @return messages produced in {@code p} that no consumer ever delivered */
        long lost(Phase p) {
            return producedIn.entrySet().stream().filter(e -> e.getValue() == p && !seen.containsKey(e.getKey()))
                    .count();
        }

        ConsumerRunnerListener listener() {
            return new ConsumerRunnerListener() {
                @Override
                public void onRevoked(Collection<TopicPartition> partitions) {
                    if (!partitions.isEmpty()) {
                        revocations.incrementAndGet(phase.ordinal());
                    }
                }

                @Override
                public void onLost(Collection<TopicPartition> partitions) {
                    lostPartitions.addAndGet(phase.ordinal(), partitions.size());
                }
            };
        }

        /**
         * Duplicates a phase without a crash may show: none, unless a member lost its partitions, or, under
         * {@code manual}, the records processed but not yet acknowledged when partitions were revoked (the
         * runner commits only acknowledged records, on revocation too).
         */
        long rebalanceBound(Phase p) {
            long lost = lostPartitions.get(p.ordinal());
            long fixed = policy.crashBound();
            long bound = lost == 0 ? 0 : lost * (fixed >= 0 ? fixed : messages.get(p.ordinal()));
            if (policy.policy.commitsOnlyAcknowledged()) {
                bound += revocations.get(p.ordinal()) * (PolicyCase.ACK_EVERY - 1);
            }
            return bound;
        }
    }

    /** Checks of every round, asserted once the table has its rows (so a failed run still shows its figures). */
    private final SoftAssertions softly = new SoftAssertions();

    @Test
    void everyCommitPolicyLosesNothingAndStaysWithinItsBoundUnderKillsRebalancesAndBrokerRestarts(
            KafkaCluster cluster) throws Exception {
        Map<PolicyCase, long[][]> sums = new EnumMap<>(PolicyCase.class); // [phase][messages, lost, duplicates]
        long[] phaseNanos = new long[Phase.values().length];
        Map<PolicyCase, String> bounds = new EnumMap<>(PolicyCase.class);
        int rounds;
        try {
            rounds = Soak.rounds(round -> {
            Map<PolicyCase, Ledger> ledgers = oneRound(cluster, phaseNanos);
            ledgers.forEach((c, l) -> {
                long[][] s = sums.computeIfAbsent(c, k -> new long[Phase.values().length][3]);
                for (Phase p : Phase.values()) {
                    s[p.ordinal()][0] += l.messages.get(p.ordinal());
                    s[p.ordinal()][1] += l.lost(p);
                    s[p.ordinal()][2] += l.duplicates.get(p.ordinal());
                }
                bounds.put(c, c.crashBoundText());
            });
            });
        } catch (ConditionTimeoutException e) {
            // a wait that timed out: report it with what the checks found so far
            softly.fail("a wait timed out", e);
            softly.assertAll();
            throw e;
        }
        for (PolicyCase c : PolicyCase.values()) {
            long[][] s = sums.get(c);
            String times = rounds == 1 ? "" : rounds + " rounds, ";
            add(2, "consumer kill -9 mid-batch + restart (" + times + "10 policies at once): " + c.label(),
                    s[Phase.KILL.ordinal()], bounds.get(c), phaseNanos[Phase.KILL.ordinal()]);
            add(3, "consumer rebalance storm, 2 joins + 2 leaves (" + times + "10 policies at once): " + c.label(),
                    s[Phase.STORM.ordinal()], c.rebalanceBoundText(), phaseNanos[Phase.STORM.ordinal()]);
            add(4, "consumer coordinator broker restart (" + times + "10 policies at once): " + c.label(),
                    s[Phase.BROKER.ordinal()], c.rebalanceBoundText(), phaseNanos[Phase.BROKER.ordinal()]);
        }
        softly.assertAll();
    }

    private static void add(int section, String scenario, long[] s, String bound, long nanos) {
        ReliabilityReport.add(new ReliabilityReport.Row(section, scenario, s[0], s[0], s[1], s[2], bound,
                Duration.ofNanos(nanos)));
    }

    private Map<PolicyCase, Ledger> oneRound(KafkaCluster cluster, long[] phaseNanos) throws Exception {
        Map<PolicyCase, Ledger> ledgers = new EnumMap<>(PolicyCase.class);
        for (PolicyCase c : PolicyCase.values()) {
            String prefix = c.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            ledgers.put(c, new Ledger(c, Faults.replicatedTopic(cluster, prefix, PARTITIONS),
                    KafkaTestUtils.uniqueGroup(prefix)));
        }
        try (Producer<String, String> producer = Producers.create(DeliveryGuarantee.AT_LEAST_ONCE,
                cluster.adminConfig(), new StringSerializer(), new StringSerializer())) {
            long begin = System.nanoTime();
            killPhase(cluster, producer, ledgers);
            phaseNanos[Phase.KILL.ordinal()] += System.nanoTime() - begin;

            begin = System.nanoTime();
            stormPhase(cluster, producer, ledgers);
            phaseNanos[Phase.STORM.ordinal()] += System.nanoTime() - begin;

            begin = System.nanoTime();
            brokerPhase(cluster, producer, ledgers);
            closeAll(runners);
            runners.clear();
            phaseNanos[Phase.BROKER.ordinal()] += System.nanoTime() - begin;
        }
        for (Ledger l : ledgers.values()) {
            LOG.info("{}: kill {} duplicates (exactly expected {}, bound {}), storm {} ({} partitions lost, {}"
                            + " revocations), broker restart {} ({} partitions lost, {} revocations)", l.policy.label(),
                    l.duplicates.get(0), l.expectedKillDuplicates, l.killBound, l.duplicates.get(1),
                    l.lostPartitions.get(1), l.revocations.get(1), l.duplicates.get(2), l.lostPartitions.get(2),
                    l.revocations.get(2));
            for (Phase p : Phase.values()) {
                softly.assertThat(l.lost(p)).as("%s: %s: messages never delivered", l.policy, p).isZero();
            }
            softly.assertThat(l.duplicates.get(Phase.STORM.ordinal())).as("%s: storm duplicates", l.policy)
                    .isLessThanOrEqualTo(l.rebalanceBound(Phase.STORM));
            softly.assertThat(l.duplicates.get(Phase.BROKER.ordinal())).as("%s: broker restart duplicates", l.policy)
                    .isLessThanOrEqualTo(l.rebalanceBound(Phase.BROKER));
        }
        return ledgers;
    }

    /**
     * One child JVM runs a runner per policy; all block half way, in the handler. Once the commits they sent have
     * landed, SIGKILL; restarted runners finish.
     */
    private void killPhase(KafkaCluster cluster, Producer<String, String> producer, Map<PolicyCase, Ledger> ledgers) {
        produce(producer, ledgers, Phase.KILL, KILL_MESSAGES);
        List<String> args = new ArrayList<>(List.of(cluster.bootstrapServers()));
        ledgers.values().forEach(l -> args.add(String.join(",", l.policy.name(), l.topic, l.group, l.group + "-a",
                String.valueOf(blockAt(l.policy)))));
        JvmProcess child = JvmProcess.start(List.of("-Xmx384m", "-Dlog4j2.configurationFile=log4j2-child.xml"),
                ChildRunnersMain.class, args.toArray(String[]::new));
        children.add(child);
        await().atMost(Faults.WAIT).until(() -> child.lines().stream().filter(l -> l.startsWith("blocked ")).count()
                == ledgers.size());
        // ASYNC commits complete in the background while the handlers block; a commit still in flight when the
        // process dies would add its records to the re-delivery, which is not what the policy decides
        try {
            await().atMost(COMMITS_LAND).until(() -> ledgers.values().stream().allMatch(l -> {
                long uncommitted = KillRecord.of(child.lines(), l.policy).uncommitted(committed(cluster, l));
                return l.policy.crashBound() >= 0 ? uncommitted <= l.policy.crashBound()
                        : uncommitted < blockAt(l.policy);
            }));
        } catch (ConditionTimeoutException e) {
            LOG.warn("committed offsets still outside a policy's bound {} ms after the runners blocked; the checks"
                    + " below say which", COMMITS_LAND.toMillis());
        }
        child.kill();

        for (Ledger l : ledgers.values()) {
            KillRecord kill = KillRecord.of(child.lines(), l.policy);
            Map<Integer, Long> committed = committed(cluster, l);
            l.expectedKillDuplicates = kill.uncommitted(committed);
            l.killBound = l.policy.crashBound();
            softly.assertThat(kill.processed).as("%s: records processed before the kill", l.policy).hasSize(blockAt(l.policy));
            // at least once: nothing committed beyond what the handler finished (so the record in the handler at
            // the kill is always delivered again)
            for (int partition = 0; partition < PARTITIONS; partition++) {
                softly.assertThat(committed.getOrDefault(partition, 0L))
                        .as("%s: committed offset of partition %d, at most the last finished record + 1", l.policy,
                                partition).isLessThanOrEqualTo(kill.finishedEnd(partition));
            }
            kill.processed.forEach(p -> l.deliver(p[2]));
            runners.add(start(cluster, l, l.group + "-a"));
        }
        await().atMost(Faults.WAIT).until(() -> ledgers.values().stream().allMatch(l -> l.settled(cluster)));
        for (Ledger l : ledgers.values()) {
            softly.assertThat(l.duplicates.get(Phase.KILL.ordinal()))
                    .as("%s: re-delivered after the kill: exactly the processed records at or past the committed"
                            + " offsets", l.policy).isEqualTo(l.expectedKillDuplicates);
            if (l.killBound >= 0) {
                softly.assertThat(l.expectedKillDuplicates).as("%s: duplicates within the policy's bound", l.policy)
                        .isLessThanOrEqualTo(l.killBound);
            } else {
                softly.assertThat(l.expectedKillDuplicates).as("%s: Kafka committed while the runner ran", l.policy)
                        .isLessThan(blockAt(l.policy));
            }
        }
    }

    private static Map<Integer, Long> committed(KafkaCluster cluster, Ledger l) {
        Map<Integer, Long> byPartition = new java.util.HashMap<>();
        KafkaTestUtils.committedOffsets(cluster, l.group).forEach((tp, o) -> byPartition.put(tp.partition(), o));
        return byPartition;
    }

    /** What one killed runner printed: the records it processed and how many of them it had finished. */
    private record KillRecord(List<String[]> processed, int finished) {

        /** @param lines the child's output; {@code r} lines are {@code partition offset value millis} */
        static KillRecord of(List<String> lines, PolicyCase policy) {
            String record = "r " + policy + " ";
            String done = "f " + policy;
            List<String[]> processed = new ArrayList<>();
            int finished = 0;
            for (String line : lines) {
                if (line.startsWith(record)) {
                    processed.add(line.substring(record.length()).split(" "));
                } else if (line.equals(done)) {
                    finished = processed.size();
                }
            }
            return new KillRecord(processed, finished);
        }

        /** @return processed records at or past the committed offsets: what a restart delivers again */
        long uncommitted(Map<Integer, Long> committed) {
            return processed.stream().filter(p -> Long.parseLong(p[1])
                    >= committed.getOrDefault(Integer.parseInt(p[0]), 0L)).count();
        }

        /** @return the highest offset the runner may have committed for {@code partition}: last finished + 1 */
        long finishedEnd(int partition) {
            return processed.subList(0, finished).stream().filter(p -> Integer.parseInt(p[0]) == partition)
                    .mapToLong(p -> Long.parseLong(p[1]) + 1).max().orElse(0);
        }
    }

    /** Dynamic members join and leave every group while records flow: join, join, leave, leave. */
    private void stormPhase(KafkaCluster cluster, Producer<String, String> producer, Map<PolicyCase, Ledger> ledgers) {
        ledgers.values().forEach(l -> l.phase = Phase.STORM);
        Map<PolicyCase, List<ConsumerRunner<String, String>>> members = new EnumMap<>(PolicyCase.class);
        ledgers.keySet().forEach(c -> members.put(c, new ArrayList<>()));
        for (boolean join : new boolean[] {true, true, false, false}) {
            produce(producer, ledgers, Phase.STORM, STORM_CHUNK);
            List<ConsumerRunner<String, String>> changed = new ArrayList<>();
            for (Ledger l : ledgers.values()) {
                List<ConsumerRunner<String, String>> m = members.get(l.policy);
                if (join) {
                    ConsumerRunner<String, String> r = start(cluster, l, null);
                    m.add(r);
                    runners.add(r);
                    changed.add(r);
                } else {
                    changed.add(m.remove(0));
                }
            }
            if (join) {
                await().atMost(Faults.WAIT).until(() -> changed.stream().allMatch(r -> !r.metrics().lag().isEmpty()));
            } else {
                closeAll(changed);
                runners.removeAll(changed);
            }
        }
        await().atMost(Faults.WAIT).until(() -> ledgers.values().stream().allMatch(l -> l.settled(cluster)));
    }

    /** The coordinator of the first group is stopped while records flow, then started again. */
    private void brokerPhase(KafkaCluster cluster, Producer<String, String> producer, Map<PolicyCase, Ledger> ledgers)
            throws Exception {
        ledgers.values().forEach(l -> l.phase = Phase.BROKER);
        Ledger first = ledgers.values().iterator().next();
        int coordinator = cluster.admin().describeConsumerGroups(List.of(first.group)).all()
                .get(Faults.WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).get(first.group)
                .coordinator().id();
        produce(producer, ledgers, Phase.BROKER, BROKER_CHUNK);
        cluster.stopBroker(coordinator);
        LOG.info("stopped broker {}, the coordinator of {}", coordinator, first.group);
        produce(producer, ledgers, Phase.BROKER, BROKER_CHUNK);
        await().atMost(Faults.WAIT).until(() -> ledgers.values().stream().allMatch(l -> l.settled(cluster)));
        Faults.restart(cluster, coordinator, first.topic);
        ledgers.values().forEach(l -> cluster.awaitFullyReplicated(l.topic));
        produce(producer, ledgers, Phase.BROKER, BROKER_CHUNK);
        await().atMost(Faults.WAIT).until(() -> ledgers.values().stream().allMatch(l -> l.settled(cluster)));
    }

    static ConsumerRunner<String, String> start(KafkaCluster cluster, Ledger l, String instanceId) {
        return l.policy.runner(cluster.bootstrapServers(), l.topic, l.group, instanceId, r -> l.deliver(r.value()),
                l.listener()).start();
    }

    /** Sends {@code count} more records to every policy's topic and waits for the acknowledgments. */
    static void produce(Producer<String, String> producer, Map<PolicyCase, Ledger> ledgers, Phase phase,
                                int count) {
        List<CompletableFuture<?>> acks = new ArrayList<>();
        for (Ledger l : ledgers.values()) {
            for (int i = l.produced; i < l.produced + count; i++) {
                l.producedIn.put("m" + i, phase);
                acks.add(Producers.send(producer, new ProducerRecord<>(l.topic, "k" + i % 30, "m" + i)));
            }
            l.produced += count;
            l.messages.addAndGet(phase.ordinal(), count);
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).orTimeout(Faults.WAIT.toSeconds(),
                java.util.concurrent.TimeUnit.SECONDS).join();
    }

    private void closeAll(List<ConsumerRunner<String, String>> toClose) {
        CompletableFuture.allOf(toClose.stream()
                .map(r -> CompletableFuture.runAsync(() -> r.close(Faults.WAIT), closer))
                .toArray(CompletableFuture[]::new)).join();
    }
}
