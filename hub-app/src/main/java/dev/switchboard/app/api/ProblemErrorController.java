package dev.switchboard.app.api;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The container's error page ({@code /error}): what Spring MVC's own handlers did not answer (a filter's or the
 * container's {@code sendError}, an exception that escaped a handler) is answered as RFC 9457 problem+json too, in
 * place of Boot's JSON or white-label page. The detail is the status's, never the exception's message: an
 * unexpected failure is the hub's, and its log has the details.
 */
@RestController
class ProblemErrorController implements ErrorController {

    @RequestMapping(value = "/error", produces = MediaType.ALL_VALUE)
    ResponseEntity<Map<String, Object>> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer value && value >= 400 && value <= 599 ? value : 500;
        String detail = status >= 500
                ? "the hub failed to handle the request; its log has the details"
                : HttpStatus.resolve(status) == null ? "the request was refused" : HttpStatus.resolve(status).getReasonPhrase();
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(Problems.body(status, detail));
    }
}
