/**
 * Segmenting and reassembly of large messages: {@link io.kafkalab.segment.SegmentingProducer} splits a message
 * into records whose metadata travels in headers only ({@link io.kafkalab.segment.SegmentHeader}), and
 * {@link io.kafkalab.segment.Reassembler} puts them back together, bounded in bytes, checked with CRC32C,
 * reporting every message it gives up on. {@code ConsumerRunner.Builder#reassemble} wires reassembly into a
 * consumer runner with safe-offset commits.
 *
 * <p>Parameters and return values are non-null unless their Javadoc says otherwise.
 */
package io.kafkalab.segment;
