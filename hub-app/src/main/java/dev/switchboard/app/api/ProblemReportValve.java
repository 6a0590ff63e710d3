package dev.switchboard.app.api;

import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * Tomcat's error report for what never reaches Spring MVC (a request line or header Tomcat cannot parse, an
 * encoded slash), as an RFC 9457 problem instead of Tomcat's HTML page. Like Tomcat's own, it reports only an
 * error response nothing was written to yet, and says nothing of the request or the failure.
 */
public class ProblemReportValve extends ErrorReportValve {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(false);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        try {
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            response.setCharacterEncoding("UTF-8");
            // Tomcat answers 501 for a Transfer-Encoding it does not implement: the sender's doing, not the hub's.
            String detail = status == 501 ? "the request uses a feature the hub does not implement (a "
                    + "Transfer-Encoding other than chunked)"
                    : status >= 500 ? "the hub failed to handle the request; its log has the details"
                    : "the request is malformed or not allowed";
            Writer writer = response.getReporter();
            if (writer != null) {
                writer.write(JSON.writeValueAsString(Problems.body(status, detail)));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the client is gone or the response was committed meanwhile: nothing more can be said
        }
    }
}
