package io.kafkalab.examples;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * While a long-running command (a consumer, the HTTP API) runs: asks the cluster every second whether it answers,
 * and says so on stderr, one line each time, when it has not answered for {@link #REPORT_AFTER} (the command keeps
 * retrying, as Kafka's clients do), once a minute while that lasts, and when it answers again. Kafka's own clients
 * stay silent meanwhile.
 *
 * <p>The asking is an Admin client's describe-cluster with a short timeout, on a daemon thread of its own; only a
 * timeout counts as no answer. Thread safe; {@link #close()} stops it.
 */
final class ClusterWatch implements AutoCloseable {

    /** How often the cluster is asked. */
    static final Duration CHECK_EVERY = Duration.ofSeconds(1);
    /** How long without an answer before the first line. */
    static final Duration REPORT_AFTER = Duration.ofSeconds(5);
    /** How often the line repeats while the cluster stays away. */
    static final Duration REMIND_EVERY = Duration.ofSeconds(60);
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(2);

    private final ScheduledExecutorService thread;
    private final Admin admin;

    private ClusterWatch(ScheduledExecutorService thread, Admin admin) {
        this.thread = thread;
        this.admin = admin;
    }

    /**
     * Starts watching.
     *
     * @param label            who speaks, first on each line (for example {@code single-consumer})
     * @param bootstrapServers where the cluster is
     * @param clientConfig     the client settings other than {@code bootstrap.servers} (security)
     * @param err              where the lines go
     * @return the running watch; close it when the command ends
     */
    static ClusterWatch start(String label, String bootstrapServers, Map<String, Object> clientConfig,
                              PrintWriter err) {
        Admin admin = ClusterCheck.admin(bootstrapServers, clientConfig, "kafkalab-watch", ASK_TIMEOUT);
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kafkalab-cluster-watch");
            t.setDaemon(true);
            return t;
        });
        Outage outage = new Outage(label, bootstrapServers, Clock.systemUTC());
        thread.scheduleWithFixedDelay(() -> {
            String line = outage.checked(answers(admin));
            if (line != null) {
                err.println(line);
                err.flush();
            }
        }, CHECK_EVERY.toMillis(), CHECK_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return new ClusterWatch(thread, admin);
    }

    private static boolean answers(Admin admin) {
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) ASK_TIMEOUT.toMillis())).nodes()
                    .get(ASK_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            // anything but a timeout came from a cluster that is there (an authorization error, say)
            return !(e.getCause() instanceof TimeoutException);
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        admin.close(Duration.ZERO);
    }

    /**
     * What to say after each check: the pure part of the watch, on an injected clock. Not thread safe: one
     * watch thread calls it.
     */
    static final class Outage {
        private final String label;
        private final String bootstrapServers;
        private final Clock clock;
        private Instant downSince;
        private Instant lastLine;

        Outage(String label, String bootstrapServers, Clock clock) {
            this.label = label;
            this.bootstrapServers = bootstrapServers;
            this.clock = clock;
        }

        /**
         * @param answered whether the cluster answered this check
         * @return the line to print now, or null
         */
        String checked(boolean answered) {
            Instant now = clock.instant();
            if (answered) {
                String line = lastLine == null ? null : label + ": the cluster at " + bootstrapServers
                        + " answers again, after " + seconds(downSince, now) + " s without";
                downSince = null;
                lastLine = null;
                return line;
            }
            if (downSince == null) {
                downSince = now;
            }
            if (lastLine == null && !now.isBefore(downSince.plus(REPORT_AFTER))) {
                lastLine = now;
                return label + ": no Kafka broker answers at " + bootstrapServers + " for " + seconds(downSince, now)
                        + " s; retrying until the cluster is back (start it with ./kafkalab cluster; Ctrl-C stops "
                        + "this command)";
            }
            if (lastLine != null && !now.isBefore(lastLine.plus(REMIND_EVERY))) {
                lastLine = now;
                return label + ": still no Kafka broker at " + bootstrapServers + " after " + seconds(downSince, now)
                        + " s; retrying";
            }
            return null;
        }

        private static long seconds(Instant from, Instant to) {
            return Duration.between(from, to).toSeconds();
        }
    }
}
