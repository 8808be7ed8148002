/**
 * {@code ./kafkalab ui}: a live web view of a Kafka cluster (brokers, topics, consumer groups and their lag,
 * messages) served by the JDK's HTTP server, with a JSON API under {@code /api/} that reads the cluster through
 * Kafka's {@code Admin} client and a consumer. {@link io.kafkalab.examples.ui.UiServer} is the entry point; the rest
 * is package-private.
 *
 * <p>Parameters and return values are non-null unless their Javadoc says otherwise.
 */
package io.kafkalab.examples.ui;
