package dev.switchboard.app.api;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Reads the body of every request the access filter let in (webhooks, admin API calls, console forms) before any
 * handler sees it, within a total deadline and a size cap, so that neither a slow sender nor a large chunked body can
 * hold a request thread or the hub's memory.
 *
 * <p>The body is read with non-blocking I/O under an {@link AsyncContext} whose timeout is the deadline
 * ({@code switchboard.webhooks.body-timeout}): no thread waits while the sender is silent, and a body that has not
 * arrived in full when the deadline passes (declared longer than sent, or dripped a byte at a time) is answered
 * {@code 408} whatever the pace of its bytes; a per-read socket timeout would let a drip go on for ever. Once the
 * body is in, the request is dispatched again with the bytes held in memory, and handlers read them as usual (a
 * form's parameters included, which the container could no longer parse itself).
 *
 * <p>No more than the cap plus one byte is ever read, whatever framing the sender chose. A body over
 * {@link AdminAccessFilter#MAX_API_BODY_BYTES} is answered {@code 413} here; a webhook's cap is
 * {@code switchboard.webhooks.max-body-bytes}, and the bytes read (the cap plus one) go on to the ingress, which
 * refuses them with its own {@code 413} so that the refusal is counted and logged like its others. A body declared
 * over the cap, or sent to a name that is no webhook connection, is left unread for others to refuse
 * ({@link AdminAccessFilter}, the ingress, the container's form size limit).
 */
final class RequestBodyFilter extends OncePerRequestFilter {

    private static final String BODY = RequestBodyFilter.class.getName() + ".body";
    private static final int CHUNK = 8192;
    private static final String WEBHOOKS = "/webhooks/";

    private final Duration timeout;
    private final long maxWebhookBytes;
    private final Predicate<String> receivesWebhooks;

    /**
     * @param timeout          how long a body may take to arrive in full, from the moment its headers were read
     * @param maxWebhookBytes  the webhooks' size limit ({@code switchboard.webhooks.max-body-bytes})
     * @param receivesWebhooks whether a connection name is one whose webhooks are read; a body sent to any other is
     *                         left unread for the ingress to refuse
     */
    RequestBodyFilter(Duration timeout, long maxWebhookBytes, Predicate<String> receivesWebhooks) {
        this.timeout = timeout;
        this.maxWebhookBytes = maxWebhookBytes;
        this.receivesWebhooks = receivesWebhooks;
    }

    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        // the dispatch that carries the body read here must reach the handler with it
        return false;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Object body = request.getAttribute(BODY);
        if (body instanceof byte[] bytes && request.getDispatcherType() == DispatcherType.ASYNC) {
            chain.doFilter(new ReadBody(request, bytes), response);
            return;
        }
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        boolean webhook = path.startsWith(WEBHOOKS);
        long cap = !webhook ? AdminAccessFilter.MAX_API_BODY_BYTES
                : receivesWebhooks.test(path.substring(WEBHOOKS.length())) ? maxWebhookBytes : -1;
        boolean hasBody = request.getContentLengthLong() > 0 || request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
        if (cap < 0 || !hasBody || request.getContentLengthLong() > cap
                || request.getDispatcherType() != DispatcherType.REQUEST) {
            chain.doFilter(request, response);
            return;
        }
        ServletInputStream in = request.getInputStream();
        ByteArrayOutputStream arrived = readArrived(in, request.getContentLengthLong());
        if (arrived.size() == request.getContentLengthLong()) {
            chain.doFilter(new ReadBody(request, arrived.toByteArray()), response);
            return;
        }
        AsyncContext async = request.startAsync(request, response);
        async.setTimeout(Math.max(1, timeout.toMillis()));
        Reading reading = new Reading(async, request, response, in, cap, webhook, arrived);
        async.addListener(reading);
        in.setReadListener(reading);
    }

    /**
     * The part of a body of {@code declared} bytes that arrived with its headers, read without waiting: the
     * container's {@code available()} looks only at what it has buffered, and a read then takes from that buffer. A
     * webhook's body of a few kilobytes usually comes whole this way and is handed on at once; going through the async
     * context for it dispatched every such request twice (about 45 % of the webhook threads' CPU samples in the B1
     * benchmark). Nothing is read for a body of unknown length (chunked), which takes the async path from the start.
     */
    private static ByteArrayOutputStream readArrived(ServletInputStream in, long declared) throws IOException {
        ByteArrayOutputStream arrived = new ByteArrayOutputStream();
        if (declared <= 0) {
            return arrived;
        }
        byte[] chunk = new byte[(int) Math.min(CHUNK, declared)];
        while (arrived.size() < declared && in.available() > 0) {
            int read = in.read(chunk, 0, (int) Math.min(chunk.length, declared - arrived.size()));
            if (read < 0) {
                break;
            }
            arrived.write(chunk, 0, read);
        }
        return arrived;
    }

    /** One body being read; the container calls it as bytes arrive, and when the deadline passes. */
    private final class Reading implements ReadListener, AsyncListener {

        private final AsyncContext async;
        private final HttpServletRequest request;
        private final HttpServletResponse response;
        private final ServletInputStream in;
        private final long cap;
        private final boolean webhook;
        private final ByteArrayOutputStream bytes;
        private final byte[] chunk = new byte[CHUNK];
        /** Set once: by the end of the body, the cap, an error or the deadline, whichever comes first. */
        private final AtomicBoolean settled = new AtomicBoolean();

        /** {@code arrived}: what was read of the body before the container took over the reading. */
        Reading(AsyncContext async, HttpServletRequest request, HttpServletResponse response, ServletInputStream in,
                long cap, boolean webhook, ByteArrayOutputStream arrived) {
            this.bytes = arrived;
            this.async = async;
            this.request = request;
            this.response = response;
            this.in = in;
            this.cap = cap;
            this.webhook = webhook;
        }

        @Override
        public void onDataAvailable() throws IOException {
            while (!settled.get() && in.isReady()) {
                int read = in.read(chunk);
                if (read < 0) {
                    return; // onAllDataRead follows
                }
                bytes.write(chunk, 0, (int) Math.min(read, cap + 1 - bytes.size()));
                if (bytes.size() > cap) {
                    overCap();
                    return;
                }
            }
        }

        @Override
        public void onAllDataRead() {
            if (settled.compareAndSet(false, true)) {
                dispatch();
            }
        }

        private void overCap() {
            if (!settled.compareAndSet(false, true)) {
                return;
            }
            if (webhook) {
                dispatch(); // the ingress refuses it: the cap plus one byte is over its limit
            } else {
                answer(413, "body: more than " + cap + " bytes sent; the hub accepts at most " + cap);
            }
        }

        private void dispatch() {
            request.setAttribute(BODY, bytes.toByteArray());
            async.dispatch();
        }

        @Override
        public void onError(Throwable failure) {
            if (settled.compareAndSet(false, true)) {
                answer(400, "body: could not be read to its end (cut short, or its chunked framing is malformed)");
            }
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            if (settled.compareAndSet(false, true)) {
                answer(408, "body: did not arrive in full within " + timeout.toMillis() + " ms "
                        + "(switchboard.webhooks.body-timeout); " + bytes.size() + " bytes came in time"
                        + (request.getContentLengthLong() >= 0 ? " of the " + request.getContentLengthLong()
                                + " declared" : "") + "; nothing was stored");
            }
        }

        /** Refuses the request and closes the connection: the rest of its body is never read. */
        private void answer(int status, String detail) {
            try {
                Map<String, Object> problem = new LinkedHashMap<>(Problems.body(status, detail));
                problem.put("instance", request.getRequestURI());
                problem.put("code", status == 408 ? "body_timeout" : status == 413 ? "too_large" : "incomplete_body");
                response.setHeader(HttpHeaders.CONNECTION, "close");
                Problems.write(response, problem);
            } catch (IOException | IllegalStateException gone) {
                // the client is gone or the response was committed: nothing more can be said
            } finally {
                async.complete();
            }
        }

        @Override
        public void onComplete(AsyncEvent event) {
        }

        @Override
        public void onError(AsyncEvent event) {
            onError(event.getThrowable());
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
        }
    }

    /** The request as handlers see it: its body is the bytes read, whoever reads it and however. */
    private static final class ReadBody extends HttpServletRequestWrapper {

        private final byte[] bytes;
        private final ServletInputStream body;
        private Map<String, String[]> parameters;

        ReadBody(HttpServletRequest request, byte[] bytes) {
            super(request);
            this.bytes = bytes;
            ByteArrayInputStream in = new ByteArrayInputStream(bytes);
            this.body = new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("the body is already read");
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] buffer, int offset, int length) {
                    return in.read(buffer, offset, length);
                }
            };
        }

        @Override
        public ServletInputStream getInputStream() {
            return body;
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(getInputStream(), charset()));
        }

        private Charset charset() {
            String encoding = getCharacterEncoding();
            return encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
        }

        // The container would parse a form from its own stream, which is read already: the parameters of a form post
        // are the query's, then the body's, as the container would give them.

        @Override
        public String getParameter(String name) {
            String[] values = getParameterMap().get(name);
            return values == null ? null : values[0];
        }

        @Override
        public Map<String, String[]> getParameterMap() {
            if (parameters == null) {
                boolean form = getMethod().equals("POST") && getContentType() != null && getContentType()
                        .split(";", 2)[0].trim().equalsIgnoreCase("application/x-www-form-urlencoded");
                parameters = form ? formParameters() : super.getParameterMap();
            }
            return parameters;
        }

        @Override
        public Enumeration<String> getParameterNames() {
            return Collections.enumeration(getParameterMap().keySet());
        }

        @Override
        public String[] getParameterValues(String name) {
            String[] values = getParameterMap().get(name);
            return values == null ? null : values.clone();
        }

        private Map<String, String[]> formParameters() {
            Map<String, List<String>> values = new LinkedHashMap<>();
            decode(getQueryString(), StandardCharsets.UTF_8, values);
            decode(new String(bytes, StandardCharsets.ISO_8859_1), charset(), values);
            Map<String, String[]> parameters = new LinkedHashMap<>();
            values.forEach((name, list) -> parameters.put(name, list.toArray(String[]::new)));
            return Collections.unmodifiableMap(parameters);
        }

        /** Adds the pairs of {@code encoded} ({@code a=1&b=2}); a pair that does not decode is left out. */
        private static void decode(String encoded, Charset charset, Map<String, List<String>> into) {
            if (encoded == null || encoded.isEmpty()) {
                return;
            }
            for (String pair : encoded.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                String[] nameAndValue = pair.split("=", 2);
                try {
                    // Percent-escapes are bytes: undo them on the text as Latin-1 first, then read the bytes.
                    String name = URLDecoder.decode(nameAndValue[0], StandardCharsets.ISO_8859_1);
                    String value = nameAndValue.length < 2 ? ""
                            : URLDecoder.decode(nameAndValue[1], StandardCharsets.ISO_8859_1);
                    into.computeIfAbsent(recode(name, charset), key -> new ArrayList<>()).add(recode(value, charset));
                } catch (IllegalArgumentException malformed) {
                    // as the container does: the pair is skipped
                }
            }
        }

        private static String recode(String latin1, Charset charset) {
            return new String(latin1.getBytes(StandardCharsets.ISO_8859_1), charset);
        }
    }
}
