package io.kafkalab.bench;

/**
 * The sizes of one harness run.
 *
 * @param records          records of 100 bytes for the produce and consume comparisons
 * @param slowRecords      records for the slow variants (flush or commit per record), which would take minutes
 *                         at {@code records}
 * @param repeats          counted repeats of each comparison
 * @param warmUpRounds     uncounted rounds of every variant before the counted ones
 * @param largeBytes       size of the large message
 * @param httpRequests     requests per HTTP variant and repeat
 * @param httpConcurrency  connections sending at once (issue 17: 32)
 * @param httpWideConcurrency connections of the second, wider run of kafkalab http and the Flask app (issue 17: 256),
 *                         or 0 for none
 * @param httpSeconds      seconds of load per HTTP variant and repeat when the generator is wrk (it runs for a time,
 *                         not a count)
 * @param httpLingerMs     {@code --linger-ms} for every {@code kafkalab http} variant, or -1 for the server's default
 * @param httpMessageBytes size of each HTTP message
 * @param peerRecords      records for the peers (kcat, kafka-python)
 * @param parallelRecords  records of the parallel workload (parallel-consumer's table: 10 000)
 * @param uiTopics         topics for the UI's lists (issue 16: 1 000)
 * @param uiGroups         consumer groups for the UI's lists (issue 16: 200)
 * @param uiRequests       requests per UI variant and repeat
 * @param retryRecords     records of the retry comparison (issue 18: 20 000)
 * @param retryBackoffMillis the retry comparison's backoff (issue 18: 1 s)
 */
record BenchSettings(int records, int slowRecords, int repeats, int warmUpRounds, int largeBytes,
                     int httpRequests, int httpConcurrency, int httpWideConcurrency, int httpSeconds, int httpLingerMs,
                     int httpMessageBytes, int peerRecords, int parallelRecords, int uiTopics, int uiGroups,
                     int uiRequests, int retryRecords, int retryBackoffMillis) {

    /** Value size of the produce and consume comparisons. */
    static final int VALUE_BYTES = 100;

    /** The full run that the README reports. */
    static BenchSettings full() {
        return new BenchSettings(1_000_000, 20_000, 3, 1, 64 * 1024 * 1024, 20_000, 32, 256, 10, -1, 1024, 200_000,
                ParallelWorkload.PUBLISHED_RECORDS, 1_000, 200, 50, 20_000, 1_000);
    }

    /** A run of seconds that only shows the harness works (the test command's smoke run). */
    static BenchSettings smoke() {
        return new BenchSettings(2_000, 100, 1, 0, 2 * 1024 * 1024, 200, 4, 0, 1, -1, 1024, 1_000, 100, 12, 4, 3, 400, 20);
    }
}
