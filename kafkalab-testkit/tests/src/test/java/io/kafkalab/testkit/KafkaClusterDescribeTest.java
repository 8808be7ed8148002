package io.kafkalab.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.DescribeConfigsResult;
import org.apache.kafka.clients.admin.DescribeTopicsResult;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.internals.KafkaFutureImpl;
import org.junit.jupiter.api.Test;

/**
 * {@link KafkaCluster#describeTopic} against an admin client that answers as a broker does which has not heard of a
 * topic yet: the race a loaded CI run met right after {@code createTopic}, which a real cluster cannot be made to
 * show on demand.
 */
class KafkaClusterDescribeTest {

    private static final String TOPIC = "orders";
    private static final Node BROKER = new Node(0, "127.0.0.1", 9092);

    /** Answers "unknown topic" to the first {@code unknownAnswers} calls of each kind, then the topic. */
    private static final class LaggingBrokerAdmin {
        final AtomicInteger describeTopicsCalls = new AtomicInteger();
        final AtomicInteger describeConfigsCalls = new AtomicInteger();
        final int unknownAnswers;
        final RuntimeException otherError;

        LaggingBrokerAdmin(int unknownAnswers, RuntimeException otherError) {
            this.unknownAnswers = unknownAnswers;
            this.otherError = otherError;
        }

        Admin admin() {
            return (Admin) Proxy.newProxyInstance(Admin.class.getClassLoader(), new Class<?>[] {Admin.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "describeTopics" -> new DescribeTopicsResult(null, Map.of(TOPIC,
                                answer(describeTopicsCalls, new TopicDescription(TOPIC, false, List.of(
                                        new TopicPartitionInfo(0, BROKER, List.of(BROKER), List.of(BROKER))),
                                        null, Uuid.randomUuid())))) { };
                        case "describeConfigs" -> new DescribeConfigsResult(Map.of(
                                new ConfigResource(ConfigResource.Type.TOPIC, TOPIC),
                                answer(describeConfigsCalls, new Config(List.of())))) { };
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }

        private <T> KafkaFuture<T> answer(AtomicInteger calls, T value) {
            KafkaFutureImpl<T> future = new KafkaFutureImpl<>();
            int call = calls.incrementAndGet();
            if (otherError != null) {
                future.completeExceptionally(otherError);
            } else if (call <= unknownAnswers) {
                future.completeExceptionally(new UnknownTopicOrPartitionException(
                        "This server does not host this topic-partition."));
            } else {
                future.complete(value);
            }
            return future;
        }
    }

    private static KafkaCluster clusterWith(Admin admin, Duration operationTimeout) {
        return new KafkaCluster() {
            @Override public String bootstrapServers() { return "127.0.0.1:9092"; }
            @Override public List<Integer> brokerIds() { return List.of(0); }
            @Override public List<Integer> runningBrokerIds() { return List.of(0); }
            @Override public List<BrokerStatus> status() { throw new UnsupportedOperationException(); }
            @Override public void stopBroker(int brokerId) { throw new UnsupportedOperationException(); }
            @Override public void startBroker(int brokerId) { throw new UnsupportedOperationException(); }
            @Override public Map<String, Object> adminConfig() { return Map.of(); }
            @Override public Admin admin() { return admin; }
            @Override public Duration operationTimeout() { return operationTimeout; }
            @Override public void close() { }
        };
    }

    @Test
    void aBrokerThatHasNotHeardOfTheTopicYetIsAskedAgainUntilItHas() {
        LaggingBrokerAdmin lagging = new LaggingBrokerAdmin(3, null);

        TopicInfo info = clusterWith(lagging.admin(), Duration.ofSeconds(30)).describeTopic(TOPIC);

        assertThat(info.name()).isEqualTo(TOPIC);
        assertThat(info.partitions()).singleElement().satisfies(p -> assertThat(p.leader()).isZero());
        assertThat(lagging.describeTopicsCalls).hasValue(4);
        assertThat(lagging.describeConfigsCalls).hasValue(4);
    }

    @Test
    void aTopicThatNeverAppearsFailsOnceTheBoundHasPassedNamingTheTopic() {
        LaggingBrokerAdmin never = new LaggingBrokerAdmin(Integer.MAX_VALUE, null);
        KafkaCluster cluster = clusterWith(never.admin(), Duration.ofMillis(300));

        long begin = System.nanoTime();
        assertThatThrownBy(() -> cluster.describeTopic(TOPIC))
                .isInstanceOf(KafkaClusterException.class)
                .hasMessage("describe topic orders failed: This server does not host this topic-partition.")
                .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(never.describeTopicsCalls.get()).isGreaterThan(1);
    }

    @Test
    void anyOtherRefusalFailsAtOnce() {
        LaggingBrokerAdmin refusing = new LaggingBrokerAdmin(0,
                new TopicAuthorizationException("Not authorized to access topics: [orders]"));

        assertThatThrownBy(() -> clusterWith(refusing.admin(), Duration.ofSeconds(30)).describeTopic(TOPIC))
                .isInstanceOf(KafkaClusterException.class)
                .hasCauseInstanceOf(TopicAuthorizationException.class);
        assertThat(refusing.describeTopicsCalls).hasValue(1);
    }
}
