package io.kafkalab.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The testkit's calls are bounded by the operation timeout and say what did not complete. */
class OperationBoundsIT {

    @Test
    void anAdminCallOnAClusterWithoutBrokersEndsAtTheOperationTimeoutNamingTheCall() {
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.builder().brokers(1)
                .topology(EmbeddedKafkaCluster.Topology.DEDICATED_CONTROLLER)
                .operationTimeout(Duration.ofSeconds(1)).start()) {
            cluster.stopBroker(cluster.brokerIds().get(0));
            long begin = System.nanoTime();
            assertThatThrownBy(() -> cluster.createTopic("bounded", 1, 1))
                    .isInstanceOf(KafkaClusterException.class)
                    .hasMessage("create topic bounded did not complete within 1000 ms");
            // the admin client's own timeouts are 30 s and more: only the testkit's bound ends it this soon
            assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(10));
            assertThatThrownBy(cluster::listTopics).isInstanceOf(KafkaClusterException.class)
                    .hasMessage("list topics did not complete within 1000 ms");
        }
    }
}
