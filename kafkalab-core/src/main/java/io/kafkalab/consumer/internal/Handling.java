package io.kafkalab.consumer.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import io.kafkalab.consumer.Acknowledgment;
import io.kafkalab.consumer.AcknowledgingBatchHandler;
import io.kafkalab.consumer.AcknowledgingRecordHandler;
import io.kafkalab.consumer.BatchFailedException;
import io.kafkalab.consumer.ConsumerRunnerListener;
import io.kafkalab.consumer.ErrorDecision;
import io.kafkalab.consumer.ErrorPolicy;
import io.kafkalab.consumer.Failure;
import io.kafkalab.consumer.FailureKind;
import io.kafkalab.consumer.RecordProcessingException;
import io.kafkalab.segment.DroppedMessage;
import io.kafkalab.segment.ReassemblyException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one unit through the deserializers and the handler, and turns failures into the error policy's decisions.
 * Used by both dispatchers, on whatever thread runs the unit; thread safe as far as the user's handler,
 * deserializers and policy are.
 *
 * @param <K> key type
 * @param <V> value type
 */
public final class Handling<K, V> {

    private static final Logger LOG = LoggerFactory.getLogger(Handling.class);

    /** What became of one attempt at a unit. */
    enum Result {
        /** Every record is done (handled, skipped or dead-lettered). */
        DONE,
        /** Retry from {@link Unit#from} after {@link Step#delay}. */
        RETRY,
        /** The runner stops; the failed record is not done. */
        STOP
    }

    /** An attempt's result; a retry carries its delay. */
    record Step(Result result, java.time.Duration delay, boolean recovered) {
        static final Step DONE = new Step(Result.DONE, null, false);
        static final Step RECOVERED = new Step(Result.DONE, null, true);
        static final Step STOPPED = new Step(Result.STOP, null, false);

        static Step retry(java.time.Duration delay) {
            return new Step(Result.RETRY, delay, false);
        }
    }

    private final String name;
    private final String groupId;
    private final Deserializer<K> keyDeserializer;
    private final Deserializer<V> valueDeserializer;
    private final AcknowledgingRecordHandler<K, V> recordHandler;
    private final AcknowledgingBatchHandler<K, V> batchHandler;
    private final ErrorPolicy errorPolicy;
    private final ConsumerRunnerListener listener;
    private final Counters counters;
    private final Control control;
    /** Both deserializers are Kafka's ByteArrayDeserializer: the raw record is the typed one. */
    private final boolean identity;

    /**
     * @param recordHandler the handler of single records, or null for a batch runner
     * @param batchHandler  the handler of batches, or null for a single-record runner
     */
    public Handling(String name, String groupId, Deserializer<K> keyDeserializer, Deserializer<V> valueDeserializer,
                    AcknowledgingRecordHandler<K, V> recordHandler, AcknowledgingBatchHandler<K, V> batchHandler,
                    ErrorPolicy errorPolicy, ConsumerRunnerListener listener, Counters counters, Control control) {
        this.name = name;
        this.groupId = groupId;
        this.keyDeserializer = keyDeserializer;
        this.valueDeserializer = valueDeserializer;
        this.recordHandler = recordHandler;
        this.batchHandler = batchHandler;
        this.errorPolicy = errorPolicy;
        this.listener = listener;
        this.counters = counters;
        this.control = control;
        this.identity = keyDeserializer.getClass() == ByteArrayDeserializer.class
                && valueDeserializer.getClass() == ByteArrayDeserializer.class;
    }

    Counters counters() {
        return counters;
    }

    boolean batches() {
        return batchHandler != null;
    }

    /**
     * One attempt at the unit's records from {@link Unit#from}. On DONE every record is done; on RETRY the records
     * before {@code from} are done; on STOP the runner's stop cause is set.
     *
     * @param ack the acknowledgment the handler gets
     */
    Step attempt(Unit unit, Acknowledgment ack) {
        if (batchHandler == null) {
            return attemptOne(unit, ack);
        }
        return attemptBatch(unit, ack);
    }

    private Step attemptOne(Unit unit, Acknowledgment ack) {
        Throwable failure = handleOnce(unit.whole, ack);
        return failure == null ? Step.DONE : afterFailure(unit, failure);
    }

    /**
     * The single-record fast path: deserializes and handles once, with nothing allocated for the record but its
     * typed copy (none when both deserializers are Kafka's {@code ByteArrayDeserializer}).
     *
     * @return null when handled, else the failure for {@link #afterFailure}
     */
    Throwable handleOnce(ConsumerRecord<byte[], byte[]> raw, Acknowledgment ack) {
        ConsumerRecord<K, V> typed;
        try {
            typed = deserialize(raw);
        } catch (Poison p) {
            return p;
        }
        try {
            recordHandler.handle(typed, ack);
        } catch (Exception e) {
            return e;
        }
        counters.recordsProcessed.increment();
        counters.batchesProcessed.increment();
        return null;
    }

    /** @return whether a failure {@link #handleOnce} returned came from the handler (not from a deserializer) */
    static boolean ranHandler(Throwable failure) {
        return !(failure instanceof Poison);
    }

    /** Decides on a failure {@link #handleOnce} returned for the unit's record. */
    Step afterFailure(Unit unit, Throwable failure) {
        if (failure instanceof Poison p) {
            counters.deserializationFailures.increment();
            return unrecoverable(unit.raw, decide(unit.raw, p.getCause(), p.kind, 1), p.getCause());
        }
        return failed(unit, unit.raw, (Exception) failure);
    }

    private Step attemptBatch(Unit unit, Acknowledgment ack) {
        List<ConsumerRecord<byte[], byte[]>> raw = unit.raw;
        while (unit.from < raw.size()) {
            List<ConsumerRecord<K, V>> typed = new ArrayList<>(raw.size() - unit.from);
            int j = unit.from;
            Poison poison = null;
            while (j < raw.size()) {
                try {
                    typed.add(deserialize(raw.get(j)));
                    j++;
                } catch (Poison p) {
                    poison = p;
                    break;
                }
            }
            if (typed.isEmpty()) {
                counters.deserializationFailures.increment();
                List<ConsumerRecord<byte[], byte[]>> one = List.of(raw.get(unit.from));
                Step s = unrecoverable(one, decide(one, poison.getCause(), poison.kind, 1), poison.getCause());
                if (s.result() != Result.DONE) {
                    return s;
                }
                unit.from++;
                continue;
            }
            try {
                batchHandler.handle(Collections.unmodifiableList(typed), ack);
                counters.recordsProcessed.add(typed.size());
                counters.batchesProcessed.increment();
                unit.from = j;
                unit.attempt = 1;
            } catch (Exception e) {
                int index = e instanceof BatchFailedException b && b.index() < typed.size() ? b.index() : -1;
                Throwable cause = index >= 0 ? e.getCause() : e;
                if (index > 0) {
                    counters.recordsProcessed.add(index);
                    unit.from += index;
                    unit.attempt = 1;
                }
                int failedTo = index >= 0 ? unit.from + 1 : unit.from + typed.size();
                List<ConsumerRecord<byte[], byte[]>> failedRaw = raw.subList(unit.from, failedTo);
                ErrorDecision decision = decide(failedRaw, cause, FailureKind.HANDLER, unit.attempt);
                switch (decision.outcome()) {
                    case RETRY -> {
                        counters.retries.increment();
                        unit.attempt++;
                        return Step.retry(decision.retryDelay());
                    }
                    case SKIP, DEAD_LETTERED -> {
                        count(decision, failedRaw.size());
                        unit.from = failedTo;
                        unit.attempt = 1;
                    }
                    case STOP -> {
                        stop(failedRaw.get(0), decision);
                        return Step.STOPPED;
                    }
                }
            }
        }
        return Step.DONE;
    }

    private Step failed(Unit unit, List<ConsumerRecord<byte[], byte[]>> raw, Exception e) {
        ErrorDecision decision = decide(raw, e, FailureKind.HANDLER, unit.attempt);
        if (decision.outcome() == ErrorDecision.Outcome.RETRY) {
            counters.retries.increment();
            unit.attempt++;
            return Step.retry(decision.retryDelay());
        }
        return settle(raw, decision);
    }

    /** A reassembled message given up on: to the error policy, which may not retry it. */
    Step dropped(DroppedMessage d) {
        ReassemblyException error = new ReassemblyException(d);
        return unrecoverable(d.segments(), decide(d.segments(), error, FailureKind.SEGMENT, 1), error);
    }

    /**
     * Applies a decision about records that cannot be retried (poison pills, dropped segmented messages): as
     * {@link #settle}, and RETRY stops too (retrying cannot help).
     */
    private Step unrecoverable(List<ConsumerRecord<byte[], byte[]>> raw, ErrorDecision decision, Throwable error) {
        if (decision.outcome() == ErrorDecision.Outcome.RETRY) {
            ConsumerRecord<byte[], byte[]> r = raw.get(0);
            LOG.error("{}: the error policy asked to retry {} records at {}-{}@{}; retrying cannot help, stopping",
                    name, raw.size(), r.topic(), r.partition(), r.offset());
            return settle(raw, ErrorDecision.stop(error));
        }
        return settle(raw, decision);
    }

    /** Applies a final decision: a skip or dead letter is counted and the records are done; STOP stops the runner. */
    private Step settle(List<ConsumerRecord<byte[], byte[]>> raw, ErrorDecision decision) {
        switch (decision.outcome()) {
            case SKIP, DEAD_LETTERED -> {
                count(decision, raw.size());
                return Step.RECOVERED;
            }
            default -> {
                stop(raw.get(0), decision);
                return Step.STOPPED;
            }
        }
    }

    private ErrorDecision decide(List<ConsumerRecord<byte[], byte[]>> raw, Throwable error, FailureKind kind,
                                 int attempt) {
        Failure f = new Failure(raw, error, kind, attempt, groupId);
        ErrorDecision decision;
        try {
            decision = Objects.requireNonNull(errorPolicy.onFailure(f), "error policy returned null");
        } catch (RuntimeException e) {
            LOG.error("{}: the error policy itself failed on {}; stopping", name, f.where(), e);
            decision = ErrorDecision.stop(e);
        }
        if (decision.outcome() == ErrorDecision.Outcome.RETRY) {
            LOG.warn("{}: {} failed ({}, attempt {}), retrying in {} ms: {}", name, f.where(), kind, attempt,
                    decision.retryDelay().toMillis(), error.toString());
        } else if (decision.outcome() != ErrorDecision.Outcome.STOP) {
            LOG.warn("{}: {} failed ({}, attempt {}), {}: {}", name, f.where(), kind, attempt,
                    decision.outcome() == ErrorDecision.Outcome.SKIP ? "skipped" : "dead-lettered", error.toString());
        }
        ErrorDecision reported = decision;
        control.notifyListener(() -> listener.onError(f, reported));
        return decision;
    }

    private void count(ErrorDecision decision, int records) {
        (decision.outcome() == ErrorDecision.Outcome.SKIP ? counters.skipped : counters.deadLettered).add(records);
    }

    private void stop(ConsumerRecord<byte[], byte[]> failed, ErrorDecision decision) {
        Throwable cause = decision.cause() != null ? decision.cause() : new IllegalStateException("stopped by policy");
        if (control.stop(new RecordProcessingException(failed.topic(), failed.partition(), failed.offset(), cause))) {
            counters.stops.increment();
            LOG.error("{}: stopping at {}-{}@{}, not committing it: {}", name, failed.topic(), failed.partition(),
                    failed.offset(), cause.toString());
        }
    }

    @SuppressWarnings("unchecked")
    private ConsumerRecord<K, V> deserialize(ConsumerRecord<byte[], byte[]> r) throws Poison {
        if (identity) {
            return (ConsumerRecord<K, V>) (ConsumerRecord<?, ?>) r; // Kafka's ByteArrayDeserializer returns the bytes as they are
        }
        K key;
        V value;
        try {
            key = keyDeserializer.deserialize(r.topic(), r.headers(), r.key());
        } catch (RuntimeException e) {
            throw new Poison(FailureKind.KEY_DESERIALIZATION, e);
        }
        try {
            value = valueDeserializer.deserialize(r.topic(), r.headers(), r.value());
        } catch (RuntimeException e) {
            throw new Poison(FailureKind.VALUE_DESERIALIZATION, e);
        }
        return new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.timestamp(), r.timestampType(),
                r.serializedKeySize(), r.serializedValueSize(), key, value, r.headers(), r.leaderEpoch());
    }

    /** A record the deserializers refused. */
    private static final class Poison extends Exception {
        private static final long serialVersionUID = 1L;
        private final FailureKind kind;

        Poison(FailureKind kind, RuntimeException cause) {
            super(cause);
            this.kind = kind;
        }
    }
}
