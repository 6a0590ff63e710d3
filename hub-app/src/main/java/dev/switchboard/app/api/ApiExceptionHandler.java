package dev.switchboard.app.api;

import dev.switchboard.spi.ConnectorException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every API error as RFC 9457 problem+json: Spring MVC's own (bad parameter types, unsupported media types) through
 * the base class, and the hub's through the handlers below.
 */
@RestControllerAdvice
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    @ExceptionHandler(ApiProblem.class)
    ProblemDetail apiProblem(ApiProblem problem) {
        ProblemDetail detail = ProblemDetail.forStatusAndDetail(problem.status(), problem.getMessage());
        if (!problem.problems().isEmpty()) {
            detail.setProperty("problems", problem.problems());
        }
        return detail;
    }

    @ExceptionHandler(ConnectorException.class)
    ProblemDetail connectorFailure(ConnectorException failure) {
        // The tool failed, not the request: the message names the connection and never carries a secret.
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_GATEWAY, failure.getMessage());
        problem.setProperty("errorKind", failure.kind().name());
        return problem;
    }
}
