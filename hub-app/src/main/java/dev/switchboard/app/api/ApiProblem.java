package dev.switchboard.app.api;

import org.springframework.http.HttpStatus;

/** A request the API refuses, with the status and a detail that names what was wrong. */
public class ApiProblem extends RuntimeException {

    private final HttpStatus status;

    public ApiProblem(HttpStatus status, String detail) {
        super(detail);
        this.status = status;
    }

    public static ApiProblem notFound(String detail) {
        return new ApiProblem(HttpStatus.NOT_FOUND, detail);
    }

    public static ApiProblem badRequest(String detail) {
        return new ApiProblem(HttpStatus.BAD_REQUEST, detail);
    }

    public HttpStatus status() {
        return status;
    }
}
