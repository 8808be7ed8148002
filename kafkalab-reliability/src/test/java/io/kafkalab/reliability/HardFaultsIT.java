package io.kafkalab.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.kafkalab.consumer.ConsumerRunner;
import io.kafkalab.producer.DeliveryGuarantee;
import io.kafkalab.producer.Producers;
import io.kafkalab.reliability.ConsumersUnderFailureIT.Ledger;
import io.kafkalab.reliability.ConsumersUnderFailureIT.Phase;
import io.kafkalab.testkit.ForkedKafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.TopicInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At-least-once under faults that are not graceful, on brokers and controllers in child JVMs of their own
 * ({@link ForkedKafkaCluster}: 3 brokers, 3 dedicated KRaft controllers, the current Kafka version): the partition
 * leader SIGKILLed again and again, a leader SIGSTOPped for longer than the broker session and then SIGCONTed, the
 * active controller SIGKILLed, and the group coordinator's broker SIGKILLed under consumer runners of every commit
 * policy. The producers use {@code AT_LEAST_ONCE}; topics have replication factor 3 and
 * {@code min.insync.replicas=2}; unclean leader election is off. A separate consumer reads each topic to its end
 * offsets: 0 acknowledged records lost, 0 duplicates, every key's records in the order sent.
 */
@ExtendWith(ForkedClusters.class)
class HardFaultsIT {

    private static final Logger LOG = LoggerFactory.getLogger(HardFaultsIT.class);

    /** How many times the leader is killed and restarted in one round: 2 in CI, 3 in the long form. */
    static final int KILLS = LongForm.pick(2, 3);
    /**
     * How long a leader stays paused at least, beyond being fenced: in the long form past the producer's request
     * timeout too, so that its requests to the paused leader time out instead of being answered after SIGCONT.
     */
    static final long MIN_PAUSE_MS = LongForm.pick(0, 6_000);
    /** Acknowledged records the stream must add after each step: it goes on through the fault. */
    static final int PROGRESS = 300;
    static final int PARTITIONS = 3;
    /** The forked cluster's {@code broker.session.timeout.ms} (the testkit's broker default). */
    static final long SESSION_MS = 2_000;
    static final int CHUNK = 300;

    /**
     * A broker that answers nothing costs a request 5 s instead of Kafka's 30 before the producer retries
     * elsewhere; the preset's other settings stay (it refuses any that would break its promise).
     */
    private static final Map<String, Object> PRODUCER = Map.of(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);

    private static ForkedKafkaCluster cluster;

    @BeforeAll
    static void start() {
        cluster = ForkedClusters.faults();
    }

    /** Every node runs again after each test: the cluster is shared. */
    @AfterEach
    void restore() {
        ForkedClusters.restore(cluster);
    }

    @Test
    void theLeaderSigkilledAndRestartedRepeatedlyWhileProducingLosesNothingAndDuplicatesNothing() throws Exception {
        streamRounds("hard-kill", "SIGKILL of the partition leader while producing, " + KILLS
                + " times, restarted each time", (topic, stream) -> {
            for (int k = 0; k < KILLS; k++) {
                int partition = k % PARTITIONS;
                int leader = Faults.leaderOf(cluster, topic, partition);
                cluster.killBroker(leader);
                LOG.info("kill {}: SIGKILL of broker {}, the leader of {}-{}", k + 1, leader, topic, partition);
                awaitNewLeader(topic, partition, leader);
                stream.awaitProgress(PROGRESS);
                assertThat(cluster.lastExitCode(leader)).as("SIGKILL: 128 + 9").hasValue(137);
                Faults.restart(cluster, leader, topic);
                stream.awaitProgress(PROGRESS);
            }
        });
    }

    @Test
    void aLeaderPausedLongerThanTheBrokerSessionThenResumedLosesNothingAndDuplicatesNothing() throws Exception {
        long[] longestPause = {0};
        streamRounds("hard-pause", () -> "SIGSTOP of the partition leader while producing, until fenced, "
                + String.format(java.util.Locale.ROOT, "%.1f", longestPause[0] / 1000.0) + " s at most (broker session "
                + SESSION_MS / 1000 + " s), then SIGCONT", (topic, stream) -> {
            int leader = Faults.leaderOf(cluster, topic, 0);
            cluster.pauseBroker(leader);
            long paused = System.nanoTime();
            // fenced: the controller moved leadership away and dropped it from every in-sync replica set
            await().atMost(Faults.WAIT).ignoreExceptions().until(() -> cluster.describeTopic(topic).partitions()
                    .stream().allMatch(p -> p.leader() != leader && p.leader() >= 0 && !p.isr().contains(leader)));
            stream.awaitProgress(PROGRESS);
            await().atMost(Faults.WAIT).until(() -> System.nanoTime() - paused >= MIN_PAUSE_MS * 1_000_000);
            long pausedMs = (System.nanoTime() - paused) / 1_000_000;
            longestPause[0] = Math.max(longestPause[0], pausedMs);
            assertThat(pausedMs).as("paused for longer than broker.session.timeout.ms").isGreaterThan(SESSION_MS);
            cluster.resumeBroker(leader);
            LOG.info("broker {} paused {} ms (SIGSTOP), resumed (SIGCONT)", leader, pausedMs);
            cluster.awaitFullyReplicated(topic);
            stream.awaitProgress(PROGRESS);
        });
    }

    @Test
    void theActiveControllerSigkilledWhileProducingLosesNothingAndTheNewOneElectsLeaders() throws Exception {
        streamRounds("hard-controller", "SIGKILL of the active KRaft controller (of 3) while producing, a topic"
                + " created by the new one" + (LongForm.on() ? ", then SIGKILL of the leader's broker (the new"
                + " controller elects), both restarted" : ", restarted"), (topic, stream) -> {
            int active = cluster.activeControllerId().orElseThrow();
            cluster.killNode(active);
            LOG.info("SIGKILL of the active controller {}", active);
            await().atMost(Faults.WAIT).until(() -> {
                var now = cluster.activeControllerId();
                return now.isPresent() && now.getAsInt() != active;
            });
            stream.awaitProgress(PROGRESS);
            // the new controller at work: it creates a topic, and in the long form it must fence a dead leader
            // and elect another
            Faults.replicatedTopic(cluster, "hard-controller-after", 1);
            int leader = Faults.leaderOf(cluster, topic, 0);
            if (LongForm.on()) {
                cluster.killBroker(leader);
                awaitNewLeader(topic, 0, leader);
                stream.awaitProgress(PROGRESS);
            }
            long restarted = System.currentTimeMillis();
            cluster.startNode(active);
            if (LongForm.on()) {
                Faults.restart(cluster, leader, topic);
            }
            awaitVotersCaughtUpSince(restarted);
            stream.awaitProgress(PROGRESS);
        });
    }

    /**
     * Unclean leader election off, shown: the brokers are SIGKILLed one by one, the first while the stream goes on
     * (so it misses acknowledged records), the other two once only one in-sync replica is left. That stale first
     * broker, restarted alone, must not lead any partition; once the others are back they lead and nothing
     * acknowledged is lost. (With unclean election on, the controller's check, every second here, makes the stale
     * broker leader, and the records it missed are gone.) Long form only: six broker starts cost 25-45 s.
     */
    @Test
    void aStaleReplicaRestartedAloneAfterEveryInSyncReplicaDiedIsNotElectedAndNothingIsLost() throws Exception {
        assumeTrue(LongForm.on(), "long form only (-D" + LongForm.PROPERTY + "=true)");
        streamRounds("hard-unclean", "every broker SIGKILLed in turn, the first one restarted alone (stale: not"
                + " elected, unclean leader election off), then the others", (topic, stream) -> {
            int last = Faults.leaderOf(cluster, topic, 0);
            List<Integer> order = new ArrayList<>(cluster.brokerIds());
            order.remove(Integer.valueOf(last));
            order.add(last);
            int stale = order.get(0);
            cluster.killBroker(stale);
            await().atMost(Faults.WAIT).ignoreExceptions().until(() -> cluster.describeTopic(topic).partitions()
                    .stream().noneMatch(p -> p.isr().contains(stale) || p.leader() == stale));
            stream.awaitProgress(PROGRESS); // acknowledged by the other two, missing on the stale one
            cluster.killBroker(order.get(1));
            cluster.killBroker(last);
            LOG.info("brokers {} SIGKILLed in turn; restarting {} alone", order, stale);
            cluster.startBroker(stale);
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(30))
                    .until(() -> cluster.describeTopic(topic).partitions().stream().noneMatch(p -> p.leader() == stale));
            cluster.startBroker(last);
            cluster.startBroker(order.get(1));
            cluster.awaitFullyReplicated(topic);
            stream.awaitProgress(PROGRESS);
        });
    }

    /** A fault done to a running stream: the stream must go on through it. */
    @FunctionalInterface
    interface StreamFault {
        void run(String topic, AckedStream stream) throws Exception;
    }

    private static void streamRounds(String prefix, String scenario, StreamFault fault) throws Exception {
        streamRounds(prefix, () -> scenario, fault);
    }

    /**
     * Round after round (one, but in soak mode), a fresh topic and stream: the fault while it flows, then the
     * read-back and its checks; one row for all rounds.
     */
    private static void streamRounds(String prefix, Supplier<String> scenario, StreamFault fault) throws Exception {
        long begin = System.nanoTime();
        AckedStream.Verdict[] sum = {null};
        int rounds = Soak.rounds(round -> {
            String topic = Faults.replicatedTopic(cluster, prefix, PARTITIONS);
            AckedStream stream = new AckedStream(cluster, topic, PRODUCER, 1_000);
            try (stream) {
                stream.awaitProgress(PROGRESS);
                fault.run(topic, stream);
            }
            sum[0] = check(stream.verify(), stream, sum[0]);
        });
        report(rounds, scenario.get(), sum[0], begin);
    }

    /**
     * The consumer's half: one runner per commit policy, all ten groups on one coordinator, whose broker is
     * SIGKILLed while records flow; it is restarted and the runners go on. Nothing committed goes back, nothing
     * produced is missed, and the re-deliveries stay within each policy's bound for a phase without a consumer
     * crash.
     */
    @Test
    void runnersOfEveryCommitPolicyLoseNothingWhenTheirCoordinatorsBrokerIsSigkilled() throws Exception {
        Map<PolicyCase, long[]> sums = new EnumMap<>(PolicyCase.class); // messages, lost, duplicates
        long[] nanos = {0};
        SoftAssertions softly = new SoftAssertions();
        Soak.rounds(round -> {
            long begin = System.nanoTime();
            Map<PolicyCase, Ledger> ledgers = coordinatorKillRound(softly);
            nanos[0] += System.nanoTime() - begin;
            ledgers.forEach((c, l) -> {
                long[] s = sums.computeIfAbsent(c, k -> new long[3]);
                s[0] += l.messages.get(Phase.BROKER.ordinal());
                s[1] += l.lost(Phase.BROKER);
                s[2] += l.duplicates.get(Phase.BROKER.ordinal());
            });
        });
        sums.forEach((c, s) -> ReliabilityReport.add(new ReliabilityReport.Row(7, "consumer, forked cluster:"
                + " SIGKILL of the group coordinator's broker under 10 runners, restarted: " + c.label(), s[0], s[0],
                s[1], s[2], c.rebalanceBoundText(), Duration.ofNanos(nanos[0]))));
        softly.assertAll();
    }

    private Map<PolicyCase, Ledger> coordinatorKillRound(SoftAssertions softly) throws Exception {
        Map<PolicyCase, Ledger> ledgers = new EnumMap<>(PolicyCase.class);
        String first = null;
        for (PolicyCase c : PolicyCase.values()) {
            String prefix = "hard-" + c.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            String group = first == null ? KafkaTestUtils.uniqueGroup(prefix) : sameCoordinator(prefix, first);
            first = first == null ? group : first;
            Ledger l = new Ledger(c, Faults.replicatedTopic(cluster, prefix, PARTITIONS), group);
            l.phase = Phase.BROKER;
            ledgers.put(c, l);
        }
        List<ConsumerRunner<String, String>> runners = new ArrayList<>();
        try (Producer<String, String> producer = Producers.create(DeliveryGuarantee.AT_LEAST_ONCE,
                new HashMap<>(cluster.adminConfig()), new StringSerializer(), new StringSerializer())) {
            ledgers.values().forEach(l -> runners.add(ConsumersUnderFailureIT.start(cluster, l, null)));
            ConsumersUnderFailureIT.produce(producer, ledgers, Phase.BROKER, CHUNK);
            awaitSettled(ledgers);
            Set<Integer> coordinators = coordinators(ledgers);
            assertThat(coordinators).as("one coordinator for every group").hasSize(1);
            int coordinator = coordinators.iterator().next();
            Map<String, Map<TopicPartition, Long>> before = committed(ledgers);

            cluster.killBroker(coordinator);
            LOG.info("SIGKILL of broker {}, the coordinator of all {} groups", coordinator, ledgers.size());
            ConsumersUnderFailureIT.produce(producer, ledgers, Phase.BROKER, CHUNK);
            awaitSettled(ledgers);
            committed(ledgers).forEach((group, offsets) -> before.get(group).forEach((tp, o) -> softly
                    .assertThat(offsets.getOrDefault(tp, -1L)).as("%s %s: committed offset kept through the kill",
                            group, tp).isGreaterThanOrEqualTo(o)));

            cluster.startBroker(coordinator);
            ledgers.values().forEach(l -> cluster.awaitFullyReplicated(l.topic));
            ConsumersUnderFailureIT.produce(producer, ledgers, Phase.BROKER, CHUNK);
            awaitSettled(ledgers);
        } finally {
            runners.forEach(r -> r.close(Faults.WAIT));
        }
        for (Ledger l : ledgers.values()) {
            LOG.info("{}: {} duplicates ({} partitions lost, {} revocations), bound {}", l.policy.label(),
                    l.duplicates.get(Phase.BROKER.ordinal()), l.lostPartitions.get(Phase.BROKER.ordinal()),
                    l.revocations.get(Phase.BROKER.ordinal()), l.rebalanceBound(Phase.BROKER));
            softly.assertThat(l.lost(Phase.BROKER)).as("%s: messages never delivered", l.policy).isZero();
            softly.assertThat(l.duplicates.get(Phase.BROKER.ordinal())).as("%s: re-delivered", l.policy)
                    .isLessThanOrEqualTo(l.rebalanceBound(Phase.BROKER));
            Map<TopicPartition, Long> committed = KafkaTestUtils.committedOffsets(cluster, l.group);
            softly.assertThat(committed).as("%s: committed to the end after close", l.policy)
                    .isEqualTo(KafkaTestUtils.endOffsets(cluster, l.topic));
        }
        return ledgers;
    }

    /**
     * A group id whose offsets partition is {@code other}'s, so that both have the same coordinator: the classic
     * coordinator's partition is {@code abs(hashCode) % offsets.topic.num.partitions} (5 in the testkit).
     */
    private static String sameCoordinator(String prefix, String other) {
        int partitions = 5; // the test asserts the coordinators are one broker, so a change here shows
        while (true) {
            String group = KafkaTestUtils.uniqueGroup(prefix);
            if (Utils.abs(group.hashCode()) % partitions == Utils.abs(other.hashCode()) % partitions) {
                return group;
            }
        }
    }

    private static Set<Integer> coordinators(Map<PolicyCase, Ledger> ledgers) throws Exception {
        List<String> groups = ledgers.values().stream().map(l -> l.group).toList();
        return cluster.admin().describeConsumerGroups(groups).all().get(Faults.WAIT.toSeconds(), TimeUnit.SECONDS)
                .values().stream().map(d -> d.coordinator().id()).collect(Collectors.toSet());
    }

    private static Map<String, Map<TopicPartition, Long>> committed(Map<PolicyCase, Ledger> ledgers) {
        Map<String, Map<TopicPartition, Long>> all = new HashMap<>();
        ledgers.values().forEach(l -> all.put(l.group, KafkaTestUtils.committedOffsets(cluster, l.group)));
        return all;
    }

    private static void awaitSettled(Map<PolicyCase, Ledger> ledgers) {
        await().atMost(Faults.WAIT).ignoreExceptions()
                .until(() -> ledgers.values().stream().allMatch(l -> l.settled(cluster)));
    }

    private static void awaitNewLeader(String topic, int partition, int old) {
        await().atMost(Faults.WAIT).ignoreExceptions().until(() -> {
            TopicInfo.Partition p = cluster.describeTopic(topic).partitions().get(partition);
            return p.leader() >= 0 && p.leader() != old;
        });
    }

    /** Every voter of the metadata quorum, the restarted one too, has caught up with the leader since {@code since}. */
    private static void awaitVotersCaughtUpSince(long since) {
        await().atMost(Faults.WAIT).ignoreExceptions().until(() -> {
            QuorumInfo q = cluster.admin().describeMetadataQuorum().quorumInfo().get(5, TimeUnit.SECONDS);
            return q.voters().size() == 3 && q.voters().stream()
                    .allMatch(v -> v.lastCaughtUpTimestamp().orElse(0) >= since);
        });
    }

    /** Asserts a round's verdict and adds it to the sum. */
    private static AckedStream.Verdict check(AckedStream.Verdict v, AckedStream stream, AckedStream.Verdict sum) {
        assertThat(v.foreign()).as("records that were not sent by this stream").isZero();
        assertThat(v.lost()).as("acknowledged records missing from the topic").isZero();
        assertThat(v.duplicates()).as("duplicates; idempotence must prevent them").isZero();
        assertThat(v.outOfOrder()).as("records out of their key's order").isZero();
        // two in-sync replicas stay up through each fault (min.insync.replicas=2): every send must succeed
        assertThat(stream.failures()).as("failed sends").isEmpty();
        assertThat(v.acked()).isEqualTo(v.sent());
        return sum == null ? v : new AckedStream.Verdict(sum.sent() + v.sent(), sum.acked() + v.acked(),
                sum.failed() + v.failed(), sum.lost() + v.lost(), sum.duplicates() + v.duplicates(),
                sum.outOfOrder() + v.outOfOrder(), sum.foreign() + v.foreign());
    }

    private static void report(int rounds, String scenario, AckedStream.Verdict v, long begin) {
        ReliabilityReport.add(new ReliabilityReport.Row(6, "producer, forked cluster: AT_LEAST_ONCE, "
                + (rounds == 1 ? "" : rounds + " rounds, ") + scenario, v.sent(), v.acked(), v.lost(), v.duplicates(),
                "0 (idempotence); per-key order kept (" + v.outOfOrder() + " out of order)",
                Duration.ofNanos(System.nanoTime() - begin)));
    }
}
