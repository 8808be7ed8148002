package io.kafkalab.testkit.internal;

import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The admin client a cluster owns: created on first use, closed with the cluster, refused afterwards. Thread
 * safe. Not part of the API.
 */
public final class LazyAdmin {

    private final Supplier<Map<String, Object>> config;
    private final String clientId;
    private final String closedMessage;
    private Admin admin;
    private boolean closed;

    /**
     * @param config        a fresh, mutable admin config on each call
     * @param clientId      the client id, unless the config sets one
     * @param closedMessage what {@link #get()} says once closed
     */
    public LazyAdmin(Supplier<Map<String, Object>> config, String clientId, String closedMessage) {
        this.config = config;
        this.clientId = clientId;
        this.closedMessage = closedMessage;
    }

    /**
     * @return the admin client, created on first use
     * @throws IllegalStateException once {@link #close()} was called
     */
    public synchronized Admin get() {
        if (closed) {
            throw new IllegalStateException(closedMessage);
        }
        if (admin == null) {
            Map<String, Object> c = config.get();
            c.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
            admin = Admin.create(c);
        }
        return admin;
    }

    /**
     * Closes the admin client (within 5 s) if one was created, and refuses further use.
     *
     * @return whether this call closed it; false when it was closed before
     */
    public synchronized boolean close() {
        if (closed) {
            return false;
        }
        closed = true;
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
        return true;
    }
}
