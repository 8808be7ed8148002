/**
 * The lab's apps as runnable commands behind one launcher, {@code ./kafkalab}: {@link io.kafkalab.examples.KafkaLab}
 * is the entry point, each command a picocli subcommand.
 *
 * <p>Parameters and return values are non-null unless their Javadoc says otherwise.
 */
package io.kafkalab.examples;
