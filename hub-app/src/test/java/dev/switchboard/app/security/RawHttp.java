package dev.switchboard.app.security;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Sends a request exactly as written, byte for byte: HTTP client libraries normalise or refuse the spellings an
 * attacker uses (path parameters, dot segments, raw control characters), so the security tests speak HTTP/1.1 over
 * a socket.
 */
final class RawHttp {

    record Response(int status, Map<String, String> headers, String body) {

        String contentType() {
            return headers.getOrDefault("content-type", "");
        }

        @Override
        public String toString() {
            return status + " " + contentType() + " " + (body.length() > 300 ? body.substring(0, 300) + "…" : body);
        }
    }

    private final int port;

    RawHttp(int port) {
        this.port = port;
    }

    Response get(String target, String... headerLines) throws IOException {
        return send("GET", target, null, headerLines);
    }

    Response send(String method, String target, byte[] body, String... headerLines) throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes((method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        for (String line : headerLines) {
            request.writeBytes((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }
        if (body != null) {
            request.writeBytes(("Content-Length: " + body.length + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }
        request.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            request.writeBytes(body);
        }
        return exchange(request.toByteArray());
    }

    /** Sends {@code request} (request line, headers and body, with whatever framing it declares) as it is. */
    Response exchange(byte[] request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            return parse(read(socket.getInputStream()));
        }
    }

    /**
     * Sends {@code head} (request line and headers), then {@code body} in pieces of {@code piece} bytes with
     * {@code pause} between them, from another thread, while the response is awaited here: the server may answer
     * before the body is complete, and close the connection on the rest, which then goes unsent.
     */
    Response stream(byte[] head, byte[] body, int piece, Duration pause) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(head);
            out.flush();
            Thread writer = new Thread(() -> {
                try {
                    for (int at = 0; at < body.length; at += piece) {
                        out.write(body, at, Math.min(piece, body.length - at));
                        out.flush();
                        Thread.sleep(pause.toMillis());
                    }
                } catch (IOException | InterruptedException closed) {
                    // answered and closed, or the test is over: the rest of the body is not wanted
                }
            }, "raw-http-body");
            writer.setDaemon(true);
            writer.start();
            try {
                return parse(read(socket.getInputStream()));
            } finally {
                writer.interrupt();
            }
        }
    }

    /**
     * The response's bytes: up to its Content-Length when it has one (the server may hold the connection open after
     * answering, to drain a body the client declared but never sent), to the end of the stream otherwise.
     */
    private static byte[] read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            byte[] sofar = head.toByteArray();
            int n = sofar.length;
            if (n >= 4 && sofar[n - 4] == '\r' && sofar[n - 3] == '\n' && sofar[n - 2] == '\r' && sofar[n - 1] == '\n') {
                break;
            }
        }
        String headers = head.toString(StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        java.util.regex.Matcher length = java.util.regex.Pattern.compile("\r\ncontent-length: *(\\d+)")
                .matcher(headers);
        head.writeBytes(length.find() ? in.readNBytes(Integer.parseInt(length.group(1))) : in.readAllBytes());
        return head.toByteArray();
    }

    private static Response parse(byte[] raw) throws IOException {
        String latin = new String(raw, StandardCharsets.ISO_8859_1);
        int end = latin.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IOException("no complete response: " + latin);
        }
        String[] lines = latin.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        byte[] body = Arrays.copyOfRange(raw, end + 4, raw.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = dechunk(body);
        }
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] dechunk(byte[] chunked) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String latin = new String(chunked, StandardCharsets.ISO_8859_1);
        int at = 0;
        while (at < latin.length()) {
            int lineEnd = latin.indexOf("\r\n", at);
            int size = Integer.parseInt(latin.substring(at, lineEnd).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            body.write(chunked, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
        return body.toByteArray();
    }
}
