package dev.switchboard.app.api;

import java.util.List;
import org.springframework.http.HttpStatus;

/** A request the API refuses, with the status and a detail that names what was wrong. */
public class ApiProblem extends RuntimeException {

    private final HttpStatus status;
    private final List<String> problems;

    public ApiProblem(HttpStatus status, String detail) {
        this(status, detail, List.of());
    }

    /** @param problems every problem found, each on its own (shown as the {@code problems} member) */
    public ApiProblem(HttpStatus status, String detail, List<String> problems) {
        super(detail);
        this.status = status;
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
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
