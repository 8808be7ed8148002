package io.kafkalab.examples.ui;

/**
 * An API request that cannot be answered with data: the HTTP status to send and a message meant for the person
 * reading the page (never a stack trace, a password or a client setting).
 */
final class ApiError extends RuntimeException {

    private final int status;

    ApiError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    /** @return the HTTP status: 400 bad request, 403 read-only, 404 unknown, 503 cluster unreachable */
    int status() {
        return status;
    }

    static ApiError notFound(String what) {
        return new ApiError(404, what + " not found");
    }

    static ApiError badRequest(String message) {
        return new ApiError(400, message);
    }
}
