package io.kafkalab.examples;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The time limit on receiving a request, which the JDK's HTTP server enforces itself: it reads the system property
 * {@code sun.net.httpserver.maxReqTime} (whole seconds) once per JVM, when its first server is created, and from
 * then on closes any connection whose request (request line, headers and body) has not fully arrived within that
 * time, checked every second ({@code sun.net.httpserver.timerMillis}). A connection that sends nothing at all is
 * closed after the same time. So a slow or stalled client (slowloris) holds a server thread for at most the limit
 * plus a second. Without the property the JDK has no such limit. The time to answer is bounded by the send timeout
 * instead, so {@code maxRspTime} stays unset.
 *
 * <p>Because the JDK reads it once, the first server of the JVM decides; a later server that asks for another value
 * keeps the first and logs a warning. A value set on the command line ({@code -Dsun.net.httpserver.maxReqTime=N})
 * wins over both. Thread safe.
 */
final class HttpLimits {

    private static final Logger LOG = LoggerFactory.getLogger(HttpLimits.class);

    /** The request timeout of {@code kafkalab http} unless {@code --request-timeout} says otherwise. */
    static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    static final String MAX_REQ_TIME = "sun.net.httpserver.maxReqTime";
    static final String NO_DELAY = "sun.net.httpserver.nodelay";
    static final String MAX_IDLE_CONNECTIONS = "sun.net.httpserver.maxIdleConnections";
    /** Idle keep-alive connections the server keeps: far above the connections a load test or a proxy opens. */
    static final int IDLE_CONNECTIONS = 10_000;

    private static Duration inForce;

    private HttpLimits() {
    }

    /**
     * Turns on {@code TCP_NODELAY} for the JDK's HTTP server (its {@code sun.net.httpserver.nodelay}, read once per
     * JVM, default off), unless the command line set it. Off, a small JSON answer waits for the client's delayed
     * ACK: about 40 ms per request on Linux, which capped the server at a few hundred requests per second.
     */
    static synchronized void applyNoDelay() {
        if (System.getProperty(NO_DELAY) == null) {
            System.setProperty(NO_DELAY, "true");
        }
    }

    /**
     * Lets the JDK's HTTP server keep {@value #IDLE_CONNECTIONS} idle keep-alive connections (its
     * {@code sun.net.httpserver.maxIdleConnections}, read once per JVM, default 200) unless the command line set it.
     * With the default, once 200 connections wait between requests the server closes every further one after its
     * answer, without a {@code Connection: close}: a client on 256 keep-alive connections saw resets. An idle
     * connection costs a socket and no thread, and the JDK still closes one idle for 30 s.
     */
    static synchronized void applyKeepAlive() {
        if (System.getProperty(MAX_IDLE_CONNECTIONS) == null) {
            System.setProperty(MAX_IDLE_CONNECTIONS, String.valueOf(IDLE_CONNECTIONS));
        }
    }

    /**
     * Sets the JDK's request time limit, unless this JVM has one already. Call it before creating the server.
     *
     * @param requested the limit, rounded up to whole seconds, at least one
     * @return the limit in force in this JVM
     */
    static synchronized Duration applyRequestTimeout(Duration requested) {
        long seconds = Math.max(1, (requested.toMillis() + 999) / 1000);
        if (inForce == null) {
            String set = System.getProperty(MAX_REQ_TIME);
            if (set != null && set.trim().matches("\\d{1,9}") && Long.parseLong(set.trim()) > 0) {
                inForce = Duration.ofSeconds(Long.parseLong(set.trim()));
            } else {
                System.setProperty(MAX_REQ_TIME, String.valueOf(seconds));
                inForce = Duration.ofSeconds(seconds);
            }
        }
        if (inForce.getSeconds() != seconds) {
            LOG.warn("request timeout {} s asked for, but this JVM's HTTP server enforces {} s ({} is read once per JVM)",
                    seconds, inForce.getSeconds(), MAX_REQ_TIME);
        }
        return inForce;
    }
}
