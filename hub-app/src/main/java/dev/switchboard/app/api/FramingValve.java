package dev.switchboard.app.api;

import jakarta.servlet.ServletException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.http11.Http11InputBuffer;
import org.springframework.http.HttpHeaders;

/**
 * Refuses a request whose body's length could be read two ways, before anything reads the body (RFC 9112 §6.1,
 * §6.3): {@code Transfer-Encoding} together with {@code Content-Length}, or in an HTTP/1.0 request. A proxy in front
 * of the hub that went by the other header would see a different request end, and a second request smuggled in the
 * body; refusing such a message outright is what §6.3 asks of a server that cannot trust it.
 *
 * <p>Tomcat itself refuses a {@code Transfer-Encoding} other than {@code chunked} (501 for codings it does not
 * implement, 400 for {@code chunked} twice), but it reads a chunked request that also carries a
 * {@code Content-Length} as chunked, after removing the {@code Content-Length} header: the servlet API never sees it.
 * The valve therefore looks at the header block as received, which the connector still holds while the request is
 * handled.
 */
final class FramingValve extends ValveBase {

    FramingValve() {
        super(true);
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        Optional<String> ambiguity = ambiguity(request);
        if (ambiguity.isPresent()) {
            response.setHeader(HttpHeaders.CONNECTION, "close");
            Problems.write(response, 400, ambiguity.get());
            return;
        }
        getNext().invoke(request, response);
    }

    private static Optional<String> ambiguity(Request request) {
        if (request.getHeader(HttpHeaders.TRANSFER_ENCODING) == null) {
            return Optional.empty();
        }
        if ("HTTP/1.0".equals(request.getProtocol())) {
            return Optional.of("Transfer-Encoding is not part of HTTP/1.0 (RFC 9112 §6.1): send the body with a "
                    + "Content-Length, or use HTTP/1.1");
        }
        if (request.getCoyoteRequest().getInputBuffer() instanceof Http11InputBuffer received
                && declaresContentLength(received.getHeaderByteBuffer())) {
            return Optional.of("a request may carry Content-Length or Transfer-Encoding, not both (RFC 9112 §6.3): "
                    + "its length would be ambiguous");
        }
        return Optional.empty();
    }

    /**
     * Whether the header block at the start of {@code received} (the request line, then header lines up to the first
     * empty line) has a {@code Content-Length} line; the buffer's position and limit are left as they are.
     */
    static boolean declaresContentLength(ByteBuffer received) {
        ByteBuffer bytes = received.duplicate();
        bytes.position(0);
        StringBuilder line = new StringBuilder();
        boolean requestLineSeen = false;
        while (bytes.hasRemaining()) {
            char c = (char) (bytes.get() & 0xff);
            if (c == '\r') {
                continue;
            }
            if (c != '\n') {
                line.append(c);
                continue;
            }
            if (line.isEmpty()) {
                if (requestLineSeen) {
                    return false; // the end of the headers
                }
                continue; // empty lines before the request line are allowed (RFC 9112 §2.2)
            }
            if (requestLineSeen && line.length() >= 15 && line.substring(0, 15).equalsIgnoreCase("content-length:")) {
                return true;
            }
            requestLineSeen = true;
            line.setLength(0);
        }
        return false;
    }
}
