package io.kafkalab.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkalab.producer.DeliveryGuarantee;
import io.kafkalab.producer.Producers;
import io.kafkalab.testkit.BrokerStatus;
import io.kafkalab.testkit.EmbeddedKafkaCluster;
import io.kafkalab.testkit.JvmProcess;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The README's argument for the {@code AT_LEAST_ONCE} preset over the lab's {@code retries=5}, tested under
 * faults that are not graceful. The lab's producer ({@code acks=all}, {@code retries=5}, idempotence, Kafka's
 * default {@code delivery.timeout.ms}) and the preset send side by side, each to its own topic whose leader is a
 * broker in a child JVM, through the same two faults:
 * <ol>
 *   <li>that leader is SIGKILLed (no controlled shutdown; the controller elects new leaders only when the broker's
 *       session expires, Kafka's default 9 s). While no leader answers, neither producer spends a retry: both
 *       keep every record.</li>
 *   <li>one more broker is stopped, so the one left is the only in-sync replica, under
 *       {@code min.insync.replicas=2}, until the lab's producer has failed a record. Every attempt now fails at
 *       once with {@code NOT_ENOUGH_REPLICAS}: the lab's five retries are spent in about 3 s and its records fail,
 *       which its loop (never looking at the send's future) loses. The preset retries until
 *       {@code delivery.timeout.ms} and keeps every record once the broker is back.</li>
 * </ol>
 */
@KafkaTest(brokers = 2, shared = false, brokerProperties = "broker.session.timeout.ms=" + ProducerUnderBrokerCrashIT.SESSION_MS)
class ProducerUnderBrokerCrashIT {

    private static final Logger LOG = LoggerFactory.getLogger(ProducerUnderBrokerCrashIT.class);

    /** Kafka's default {@code broker.session.timeout.ms}: how long a crashed broker stays leader. */
    static final String SESSION_MS = "9000";
    /** The broker in a child JVM, the leader of every partition until it is killed. */
    private static final int CHILD = 2;
    private static final int CAPACITY = 200_000;
    private static final int PENDING = 0;
    private static final int ACKED = 1;
    private static final int FAILED = 2;

    @Test
    void thePresetKeepsEveryRecordThroughACrashAndAnIsrShortfallWhereTheLabsRetriesFail(EmbeddedKafkaCluster cluster)
            throws Exception {
        long begin = System.nanoTime();
        String controller = cluster.status().stream()
                .filter(s -> s.id() == EmbeddedKafkaCluster.DEDICATED_CONTROLLER_ID).map(BrokerStatus::listener)
                .findFirst().orElseThrow();
        Path dataDir = Files.createTempDirectory("kafkalab-child-broker-");
        try (JvmProcess child = JvmProcess.start(List.of("-Xmx256m", "-Dlog4j2.configurationFile=log4j2-child.xml"),
                ChildBrokerMain.class, String.valueOf(CHILD), cluster.clusterId(),
                EmbeddedKafkaCluster.DEDICATED_CONTROLLER_ID + "@" + controller,
                String.valueOf(KafkaTestUtils.freePortRange(1)), dataDir.toString(),
                "broker.session.timeout.ms=" + SESSION_MS)) {
            child.awaitLine("ready"::equals, Faults.WAIT);
            waitFor("the child broker in the cluster")
                    .until(() -> cluster.admin().describeCluster().nodes().get().size() == 3);
            Stream lab = new Stream("lab", cluster, labProducer(cluster));
            Stream preset = new Stream("preset", cluster, Producers.create(DeliveryGuarantee.AT_LEAST_ONCE,
                    Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()),
                    new StringSerializer(), new StringSerializer()));
            List<Stream> both = List.of(lab, preset);
            AtomicBoolean sending = new AtomicBoolean(true);
            AtomicBoolean paused = new AtomicBoolean();
            Thread sender = new Thread(() -> {
                while (sending.get()) {
                    if (!paused.get()) {
                        both.forEach(Stream::sendOne);
                    }
                    LockSupport.parkNanos(2_000_000); // a steady stream of about 500 records/s per producer
                }
            }, "crash-test-sender");
            try {
                sender.start();
                both.forEach(s -> s.await("500 records acknowledged", () -> s.acked() >= 500));

                // fault 1: brokers 0 and 1 stopped, the leader is the only in-sync replica under min.insync.replicas=2.
                // The stream pauses while they stop: a record appended just before would wait out the producer's
                // request.timeout.ms (30 s) at the leader before its first error, making the test slow, not different.
                paused.set(true);
                both.forEach(s -> s.await("nothing pending before the shortfall", () -> s.pending() == 0));
                cluster.stopBroker(0);
                cluster.stopBroker(1);
                paused.set(false);
                LOG.info("brokers 0 and 1 stopped: broker {} is the only in-sync replica", CHILD);
                lab.await("100 sends failed in the shortfall", () -> lab.failed() >= 100);
                cluster.startBroker(0);
                cluster.startBroker(1);
                for (Stream s : both) {
                    cluster.awaitFullyReplicated(s.topic);
                }
                LOG.info("brokers 0 and 1 back, every replica in sync; lab failures so far {}", lab.failures());
                int afterShortfall = lab.sent();
                both.forEach(s -> s.await("500 acknowledged after the shortfall",
                        () -> s.ackedFrom(afterShortfall) >= 500));
                Map<String, Integer> labFailures = lab.failures();
                assertThat(preset.failures()).as("preset: failed sends through the ISR shortfall").isEmpty();

                // fault 2: the leader crashes; its partitions have no leader until its session expires
                child.kill();
                LOG.info("broker {} (leader of every partition) killed", CHILD);
                waitFor("new leaders after the kill")
                        .until(() -> both.stream().allMatch(s -> s.leaders().noneMatch(l -> l == CHILD)));
                int afterElection = lab.sent();
                both.forEach(s -> s.await("500 acknowledged after the election",
                        () -> s.ackedFrom(afterElection) >= 500));
                assertThat(lab.failures()).as("lab: no more failed sends through the leader's crash")
                        .isEqualTo(labFailures);
                assertThat(preset.failures()).as("preset: failed sends through the leader's crash").isEmpty();
            } finally {
                sending.set(false);
                sender.join(30_000);
            }
            both.forEach(Stream::close);

            for (Stream s : both) {
                s.readBack();
                LOG.info("{}: {} sent, {} acked, {} failed {}, {} acked but missing, {} failed and missing, {} duplicates",
                        s.name, s.sent(), s.acked(), s.failed(), s.failures(), s.lost, s.failedMissing, s.duplicates);
                assertThat(s.lost).as("%s: acknowledged records missing from the topic", s.name).isZero();
                assertThat(s.duplicates).as("%s: duplicates", s.name).isZero();
                ReliabilityReport.add(new ReliabilityReport.Row(1, "producer: " + (s == lab
                        ? "the lab's settings (acks=all, retries=5, idempotence)" : "AT_LEAST_ONCE") + " beside the other,"
                        + " 1 in-sync replica under min.insync.replicas=2 until 100 of the lab's sends failed, then the"
                        + " leader's broker SIGKILLed", s.sent(), s.acked(), s.lost, s.duplicates,
                        s == lab ? "none: its sends fail (" + s.failed() + " here, " + s.failedMissing
                                + " not written), and its loop, never reading a send's result, loses them"
                                : "0 failed, 0 duplicates", Duration.ofNanos(System.nanoTime() - begin)));
            }
            assertThat(preset.failures()).as("preset: failed sends").isEmpty();
            assertThat(preset.acked()).isEqualTo(preset.sent());
            assertThat(lab.failures()).as("lab: why its sends failed")
                    .containsKey("NotEnoughReplicasException");
            // a failed send may still have been written (a timed-out attempt); most are not, and those the lab loses
            assertThat(lab.failedMissing).as("lab: failed records that are not in the topic: what its loop loses")
                    .isPositive().isLessThanOrEqualTo(lab.failed());
        }
    }

    /** Awaitility's wait, named for what it waits for, bounded by {@link Faults#WAIT}. */
    private static ConditionFactory waitFor(String what) {
        return await(what).atMost(Faults.WAIT);
    }

    private static Producer<String, String> labProducer(EmbeddedKafkaCluster cluster) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.RETRIES_CONFIG, 5);
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    /** One producer's records to its own topic (2 partitions, replicas [2, 0, 1] and [2, 1, 0]) and their fate. */
    private static final class Stream {
        final String name;
        final String topic;
        final Producer<String, String> producer;
        final EmbeddedKafkaCluster cluster;
        final AtomicIntegerArray status = new AtomicIntegerArray(CAPACITY);
        final AtomicInteger sent = new AtomicInteger();
        final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
        long lost;
        long failedMissing;
        long duplicates;

        Stream(String name, EmbeddedKafkaCluster cluster, Producer<String, String> producer) throws Exception {
            this.name = name;
            this.cluster = cluster;
            this.producer = producer;
            this.topic = KafkaTestUtils.uniqueTopic("crash-" + name);
            cluster.admin().createTopics(List.of(new NewTopic(topic,
                            Map.of(0, List.of(CHILD, 0, 1), 1, List.of(CHILD, 1, 0)))
                            .configs(Map.of("min.insync.replicas", "2"))))
                    .all().get(30, java.util.concurrent.TimeUnit.SECONDS);
            waitFor(name + ": topic created, led by the child")
                    .until(() -> cluster.describeTopic(topic).partitions().size() == 2
                            && leaders().allMatch(l -> l == CHILD));
        }

        java.util.stream.IntStream leaders() {
            return cluster.describeTopic(topic).partitions().stream().mapToInt(p -> p.leader());
        }

        /**
         * Waits for {@code done}; a timeout's message gives this stream's counts and why its sends failed, and each
         * step's counts go to the test log.
         */
        void await(String what, BooleanSupplier done) {
            long start = System.nanoTime();
            waitFor(name + ": " + what).untilAsserted(() -> assertThat(done.getAsBoolean())
                    .as("%s: %s; now %s", name, what, counts()).isTrue());
            LOG.info("{}: {} after {} ms; {}", name, what, (System.nanoTime() - start) / 1_000_000, counts());
        }

        String counts() {
            return sent() + " sent, " + acked() + " acked, " + failed() + " failed " + failures() + ", " + pending()
                    + " pending";
        }

        void sendOne() {
            int n = sent.get();
            if (n == CAPACITY) {
                throw new IllegalStateException(name + ": more than " + CAPACITY + " records sent");
            }
            producer.send(new ProducerRecord<>(topic, "k" + n % 20, String.valueOf(n)), (metadata, error) -> {
                if (error != null) {
                    failures.computeIfAbsent(error.getClass().getSimpleName(), k -> new AtomicInteger()).incrementAndGet();
                }
                status.set(n, error == null ? ACKED : FAILED);
            });
            sent.incrementAndGet();
        }

        int sent() {
            return sent.get();
        }

        long acked() {
            return ackedFrom(0);
        }

        long ackedFrom(int from) {
            return count(from, ACKED);
        }

        long pending() {
            return count(0, PENDING);
        }

        long failed() {
            return count(0, FAILED);
        }

        private long count(int from, int state) {
            long c = 0;
            for (int n = from, to = sent.get(); n < to; n++) {
                c += status.get(n) == state ? 1 : 0;
            }
            return c;
        }

        Map<String, Integer> failures() {
            Map<String, Integer> copy = new HashMap<>();
            failures.forEach((k, v) -> copy.put(k, v.get()));
            return copy;
        }

        void close() {
            Producers.flush(producer, Faults.WAIT);
            await("every send answered at close", () -> pending() == 0);
            Producers.close(producer, Faults.WAIT);
        }

        void readBack() {
            int[] deliveries = new int[sent.get()];
            for (List<ConsumerRecord<String, String>> partition : Faults.readToEnd(cluster, topic,
                    new StringDeserializer(), new StringDeserializer()).values()) {
                partition.forEach(r -> deliveries[Integer.parseInt(r.value())]++);
            }
            for (int n = 0; n < deliveries.length; n++) {
                lost += status.get(n) == ACKED && deliveries[n] == 0 ? 1 : 0;
                failedMissing += status.get(n) == FAILED && deliveries[n] == 0 ? 1 : 0;
                duplicates += Math.max(0, deliveries[n] - 1);
            }
        }
    }
}
