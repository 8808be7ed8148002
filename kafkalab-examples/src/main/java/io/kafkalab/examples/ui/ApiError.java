package io.kafkalab.examples.ui;

/**
 * An API request that cannot be answered with data: the HTTP status to send and a message meant for the person
 * reading the page (never a stack trace, a password or a client setting).
 */
final class ApiError extends RuntimeException {

    private static final String NOT_AUTHORIZED = "not authorized: the UI's Kafka user may not see ";

    private final int status;
    /** A refusal whose resource Kafka did not name: the request's own topic or group can name it. */
    private final boolean unnamed;

    ApiError(int status, String message) {
        this(status, message, false);
    }

    private ApiError(int status, String message, boolean unnamed) {
        super(message, null, false, false);
        this.status = status;
        this.unnamed = unnamed;
    }

    /**
     * @return the HTTP status: 400 bad request, 403 read-only or not authorized (the message then starts with
     *         {@code not authorized}), 404 unknown, 503 cluster unreachable
     */
    int status() {
        return status;
    }

    static ApiError notFound(String what) {
        return new ApiError(404, what + " not found");
    }

    /**
     * The cluster's authorizer refused the UI's Kafka user: what it may not see, named as Kafka named it (Admin's
     * refusals often name nothing: {@link #about} then names the request's topic or group).
     *
     * @param refused Kafka's exception
     * @return a 403 whose message starts with {@code not authorized}
     */
    static ApiError notAuthorized(org.apache.kafka.common.errors.AuthorizationException refused) {
        if (refused instanceof org.apache.kafka.common.errors.TopicAuthorizationException t
                && !t.unauthorizedTopics().isEmpty()) {
            return new ApiError(403, NOT_AUTHORIZED + "topic '"
                    + String.join("', '", new java.util.TreeSet<>(t.unauthorizedTopics())) + "'");
        }
        if (refused instanceof org.apache.kafka.common.errors.GroupAuthorizationException g && g.groupId() != null) {
            return new ApiError(403, NOT_AUTHORIZED + "group '" + g.groupId() + "'");
        }
        if (refused instanceof org.apache.kafka.common.errors.ClusterAuthorizationException) {
            return new ApiError(403, NOT_AUTHORIZED + "the cluster");
        }
        return new ApiError(403, NOT_AUTHORIZED + "this", true);
    }

    /**
     * @param subject what the request was about, for example {@code topic 'orders'}; may be null
     * @return this error, or for a refusal that named nothing, the same refusal naming {@code subject}
     */
    ApiError about(String subject) {
        return unnamed && subject != null ? new ApiError(403, NOT_AUTHORIZED + subject) : this;
    }

    static ApiError badRequest(String message) {
        return new ApiError(400, message);
    }
}
