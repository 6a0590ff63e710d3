package dev.switchboard.app.api;

import dev.switchboard.spi.ConnectorException;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Collection;
import java.util.stream.Collectors;
import org.springframework.beans.TypeMismatchException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.exc.ValueInstantiationException;

/**
 * Every API error as RFC 9457 problem+json: Spring MVC's own (bad parameter types, unsupported media types) through
 * the base class, and the hub's through the handlers below. A bad parameter or body field is named first in the
 * detail ({@code size: expected a whole number, was "abc"}), with what would have been accepted; details never carry
 * a Java type or class name, and a long value is described rather than echoed.
 */
@RestControllerAdvice
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final int MAX_ECHO = 40;

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

    @Override
    protected ResponseEntity<Object> handleTypeMismatch(TypeMismatchException ex, HttpHeaders headers,
                                                        HttpStatusCode status, WebRequest request) {
        String name = ex instanceof MethodArgumentTypeMismatchException argument ? argument.getName()
                : ex.getPropertyName();
        String detail = name + ": expected " + expected(ex.getRequiredType()) + ", was " + shown(ex.getValue());
        return handleExceptionInternal(ex, ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail), headers,
                HttpStatus.BAD_REQUEST, request);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
                                                                  HttpHeaders headers, HttpStatusCode status,
                                                                  WebRequest request) {
        return handleExceptionInternal(ex, ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, unreadable(ex)),
                headers, HttpStatus.BAD_REQUEST, request);
    }

    private static String unreadable(HttpMessageNotReadableException ex) {
        JacksonException json = null;
        for (Throwable cause = ex.getCause(); cause != null && json == null; cause = cause.getCause()) {
            json = cause instanceof JacksonException jackson ? jackson : null;
        }
        if (json == null) {
            return "body: missing or unreadable; send a JSON object";
        }
        String path = path(json);
        String where = path.isEmpty() ? "body" : "body field " + path;
        if (json instanceof UnrecognizedPropertyException unknown) {
            return where + ": not a field of this request; known fields: " + known(unknown.getKnownPropertyIds());
        }
        if (json instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            return where + ": expected " + expected(mismatch.getTargetType());
        }
        if (json instanceof ValueInstantiationException value && value.getType() != null) {
            return where + ": expected " + expected(value.getType().getRawClass());
        }
        if (json instanceof StreamReadException || json instanceof StreamConstraintsException) {
            return "body: not valid JSON: " + withoutJavaNames(json.getOriginalMessage());
        }
        return where + ": could not be read";
    }

    /** The parser's words, which quote positions and characters, without the settings and types it names. */
    private static String withoutJavaNames(String message) {
        return message == null ? "" : message.replaceAll(",? ?\\(?from `[^`]*`\\)?", "").replaceAll("`[^`]*`", "a value");
    }

    private static String path(JacksonException json) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : json.getPath()) {
            if (reference.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String known(Collection<Object> ids) {
        return ids == null || ids.isEmpty() ? "(none)"
                : ids.stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
    }

    /** What a value of {@code type} looks like, in the API's words rather than Java's. */
    private static String expected(Class<?> type) {
        if (type == null) {
            return "another value";
        }
        if (type.isEnum()) {
            return "one of " + Arrays.stream(type.getEnumConstants()).map(String::valueOf)
                    .collect(Collectors.joining(", "));
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (type == OffsetDateTime.class || type == java.time.Instant.class) {
            return "a date-time with an offset, such as 2026-01-31T12:00:00Z";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "a list";
        }
        return "an object";
    }

    private static String shown(Object value) {
        String text = value == null ? "" : String.valueOf(value);
        if (text.length() > MAX_ECHO || !text.matches("[\\x20-\\x7e]*")) {
            return "a value of " + text.length() + " characters (not shown)";
        }
        return "\"" + text + "\"";
    }
}
