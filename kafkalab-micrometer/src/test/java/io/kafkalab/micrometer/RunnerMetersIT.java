package io.kafkalab.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kafkalab.consumer.ConsumerRunner;
import io.kafkalab.consumer.ErrorPolicy;
import io.kafkalab.consumer.RecordHandler;
import io.kafkalab.consumer.RunnerMetrics;
import io.kafkalab.producer.SendTracker;
import io.kafkalab.testkit.KafkaCluster;
import io.kafkalab.testkit.KafkaTestUtils;
import io.kafkalab.testkit.junit.KafkaTest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * A known workload on a real broker: 100 records on 2 partitions, 10 of which the handler fails and
 * {@link ErrorPolicy#skip()} skips. The meters equal the known numbers and the runner's own counters.
 */
@KafkaTest(brokers = 1)
class RunnerMetersIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static void handle(ConsumerRecord<String, String> r) {
        if (r.value().startsWith("fail")) {
            throw new IllegalArgumentException("cannot handle " + r.value());
        }
    }

    @Test
    void metersMatchTheRunnersCountersAfterAKnownWorkload(KafkaCluster cluster) throws Exception {
        String topic = KafkaTestUtils.uniqueTopic("metered");
        String group = KafkaTestUtils.uniqueGroup("metered");
        cluster.createTopic(topic, 2, 1);
        MeterRegistry registry = new SimpleMeterRegistry();

        SendTracker tracker = new SendTracker();
        try (Producer<String, String> producer = new KafkaProducer<>(KafkaTestUtils.producerConfig(cluster));
             KafkaClientMetrics producerMetrics = new KafkaClientMetrics(producer)) {
            producerMetrics.bindTo(registry);
            new SendTrackerMetrics(tracker, "workload").bindTo(registry);
            for (int i = 0; i < 100; i++) {
                tracker.send(producer, new ProducerRecord<>(topic, i % 2, "k" + i, (i % 10 == 3 ? "fail-" : "ok-") + i));
            }
            assertThat(tracker.await(WAIT).acknowledged()).isEqualTo(100);
            assertThat(registry.get("kafkalab.producer.acknowledged").tag("name", "workload").functionCounter()
                    .count()).isEqualTo(100);
            assertThat(registry.get("kafkalab.producer.pending").tag("name", "workload").gauge().value()).isZero();
            assertThat(registry.get("kafka.producer.record.send.total").functionCounter().count()).isEqualTo(100);
        }

        Map<String, Object> config = KafkaTestUtils.consumerConfig(cluster, group);
        String name = "metered-runner";
        RecordHandler<String, String> handler = RunnerMetersIT::handle;
        // tag::bind[]
        ConsumerRunner<String, String> runner = ConsumerRunner
                .builder(config, new StringDeserializer(), new StringDeserializer())
                .name(name)
                .topics(topic)
                .errorPolicy(ErrorPolicy.skip())
                .consumerFactory(new MicrometerConsumerFactory(registry))  // kafka.consumer.* meters
                .records(TimedHandlers.record(registry, name, handler));   // kafkalab.handler timer
        new ConsumerRunnerMetrics(runner).bindTo(registry);                // kafkalab.runner.* meters
        runner.start();
        // end::bind[]
        try (runner) {
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(counter(registry, "kafkalab.runner.records")).isEqualTo(90);
                assertThat(counter(registry, "kafkalab.runner.skipped")).isEqualTo(10);
                assertThat(registry.find("kafkalab.runner.lag").gauges()).hasSize(2)
                        .allSatisfy(g -> assertThat(g.value()).isZero());
            });
            RunnerMetrics m = runner.metrics();
            assertThat(counter(registry, "kafkalab.runner.records")).isEqualTo(m.recordsProcessed());
            assertThat(counter(registry, "kafkalab.runner.skipped")).isEqualTo(m.skipped());
            assertThat(counter(registry, "kafkalab.runner.batches")).isEqualTo(m.batchesProcessed()).isEqualTo(90);
            assertThat(counter(registry, "kafkalab.runner.retries")).isEqualTo(m.retries()).isZero();
            assertThat(counter(registry, "kafkalab.runner.dead.lettered")).isEqualTo(m.deadLettered()).isZero();
            assertThat(registry.find("kafkalab.runner.lag").gauges())
                    .extracting(g -> g.getId().getTag("topic") + "-" + g.getId().getTag("partition"))
                    .containsExactlyInAnyOrder(topic + "-0", topic + "-1");

            assertThat(registry.get(TimedHandlers.TIMER).tags("runner", name, "result", "success").timer().count())
                    .isEqualTo(90);
            assertThat(registry.get(TimedHandlers.TIMER).tags("runner", name, "result", "failure",
                    "exception", "IllegalArgumentException").timer().count()).isEqualTo(10);

            await().atMost(WAIT).untilAsserted(() -> assertThat(registry
                    .get("kafka.consumer.fetch.manager.records.consumed.total").tag("client.id", name)
                    .functionCounter().count()).isGreaterThanOrEqualTo(100));
            await().atMost(WAIT).untilAsserted(() ->
                    assertThat(counter(registry, "kafkalab.runner.commits")).isEqualTo(runner.metrics().commits())
                            .isPositive());
        }
        assertThat(registry.find("kafka.consumer.fetch.manager.records.consumed.total").meters())
                .as("the consumer's meters leave with the consumer").isEmpty();
    }

    private static double counter(MeterRegistry registry, String name) {
        return registry.get(name).functionCounter().count();
    }
}
