/**
 * Two classes kafka-clients 4.3 had here and 4.4 moved to {@code internals} (KAFKA-20297), restored for the benchmark's
 * peer, parallel-consumer 0.5.3.2, which was built against them: only in {@code kafkalab-bench}, never in the library.
 */
package org.apache.kafka.common.utils;
