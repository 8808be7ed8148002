package io.kafkalab.testkit.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/** The test-friendly broker settings every kafkalab cluster starts with. Not part of the API. */
public final class BrokerDefaults {

    private BrokerDefaults() {
    }

    /**
     * @param brokers brokers in the cluster
     * @return broker properties: internal topics replicated min(3, brokers), no initial rebalance delay, a 2 MiB
     *     cleaner buffer, 5 offsets partitions, a 2 s broker session so a restarted broker rejoins quickly; for share
     *     groups (KIP-932, on by default in Kafka 4.4) a state topic of 5 partitions, not 50, so that a cluster's first
     *     share group starts quickly, heartbeats every 0.5 s, so a new member gets partitions quickly, and a record
     *     lock duration ({@code share.record.lock.duration.ms}) that a group may set down to 1 s, so a test sees a dead
     *     member's records delivered again within seconds (the default stays 30 s)
     */
    public static Map<String, String> forBrokers(int brokers) {
        int internalRf = Math.min(3, brokers);
        Map<String, String> p = new LinkedHashMap<>();
        p.put("offsets.topic.replication.factor", String.valueOf(internalRf));
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", String.valueOf(internalRf));
        p.put("transaction.state.log.min.isr", String.valueOf(Math.min(2, internalRf)));
        p.put("share.coordinator.state.topic.replication.factor", String.valueOf(internalRf));
        p.put("share.coordinator.state.topic.min.isr", String.valueOf(Math.min(2, internalRf)));
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
        p.put("broker.session.timeout.ms", "2000");
        p.put("broker.heartbeat.interval.ms", "500");
        p.put("share.coordinator.state.topic.num.partitions", "5");
        p.put("group.share.heartbeat.interval.ms", "500");
        p.put("group.share.min.heartbeat.interval.ms", "500");
        p.put("group.share.min.record.lock.duration.ms", "1000");
        return p;
    }
}
