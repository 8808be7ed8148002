package io.kafkalab.consumer.share;

import io.kafkalab.KafkaLabException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Group configurations of share groups, set through the admin client ({@code kafka-configs.sh --entity-type groups}).
 * A share consumer refuses {@code auto.offset.reset}: where a new share group starts reading is the group's
 * {@code share.auto.offset.reset} (default {@code latest}), and it may be set before the group's first member joins.
 *
 * <pre>{@code
 * ShareGroups.autoOffsetReset(admin, "orders-workers", "earliest", Duration.ofSeconds(10));
 * }</pre>
 *
 * <p>Thread safe (stateless); every call blocks for at most its timeout.
 */
public final class ShareGroups {

    /** The group configuration that says where a share group without a start offset starts. */
    public static final String AUTO_OFFSET_RESET = "share.auto.offset.reset";
    /** The group configuration that bounds how long a member holds a record before the broker delivers it again. */
    public static final String RECORD_LOCK_DURATION_MS = "share.record.lock.duration.ms";

    private ShareGroups() {
    }

    /**
     * Sets {@value #AUTO_OFFSET_RESET} of {@code group}.
     *
     * @param admin    the caller's admin client (not closed)
     * @param group    the share group
     * @param strategy {@code earliest} or {@code latest} (or {@code by_duration:<ISO-8601 duration>})
     * @param timeout  bound on the call
     * @throws io.kafkalab.NotAuthorizedException when the cluster's authorizer refused it (ALTER_CONFIGS on the
     *                                             group)
     * @throws KafkaLabException when the broker refused it otherwise or did not answer within {@code timeout}
     */
    public static void autoOffsetReset(Admin admin, String group, String strategy, Duration timeout) {
        Objects.requireNonNull(strategy, "strategy");
        String s = strategy.trim().toLowerCase(Locale.ROOT);
        if (!s.equals("earliest") && !s.equals("latest") && !s.startsWith("by_duration:")) {
            throw new IllegalArgumentException("strategy must be earliest, latest or by_duration:<duration>, but was "
                    + strategy);
        }
        set(admin, group, Map.of(AUTO_OFFSET_RESET, s), timeout);
    }

    /**
     * Sets group configurations of {@code group} (incrementally: the others keep their values).
     *
     * @param admin   the caller's admin client (not closed)
     * @param group   the group
     * @param configs names and values, such as {@value #RECORD_LOCK_DURATION_MS}; the broker bounds some of them
     *                ({@code group.share.min.record.lock.duration.ms} ...)
     * @param timeout bound on the call
     * @throws KafkaLabException when the broker refused it or did not answer within {@code timeout}
     */
    public static void set(Admin admin, String group, Map<String, String> configs, Duration timeout) {
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(timeout, "timeout");
        List<AlterConfigOp> ops = configs.entrySet().stream()
                .map(e -> new AlterConfigOp(new ConfigEntry(e.getKey(), e.getValue()), AlterConfigOp.OpType.SET))
                .toList();
        ConfigResource resource = new ConfigResource(ConfigResource.Type.GROUP, group);
        try {
            admin.incrementalAlterConfigs(Map.of(resource, ops)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaLabException("interrupted while setting " + configs + " of group " + group, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.AuthorizationException) {
                throw new io.kafkalab.NotAuthorizedException(org.apache.kafka.common.acl.AclOperation.ALTER_CONFIGS,
                        org.apache.kafka.common.resource.ResourceType.GROUP, group, null, e.getCause());
            }
            throw new KafkaLabException("setting " + configs + " of group " + group + " failed: " + e.getCause(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaLabException("setting " + configs + " of group " + group + " did not complete within "
                    + timeout.toMillis() + " ms", e);
        }
    }
}
