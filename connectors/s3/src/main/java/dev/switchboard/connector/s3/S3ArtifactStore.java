package dev.switchboard.connector.s3;

import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.Digest;
import dev.switchboard.spi.ArtifactStore;
import dev.switchboard.spi.ConnectorException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * Artifacts in one bucket under one prefix, addressed as {@code s3://bucket/key}.
 *
 * <p>Writes compute SHA-256 on the way, and nothing is ever visible at the URI after a mismatch. Content that fits
 * in one part is checked before it is sent, then PUT. Larger content whose size and SHA-256 are known in advance
 * (a copy's source reports both), up to {@code single-put-max-mb}, streams as one PutObject that the server
 * checks against {@code x-amz-checksum-sha256} and that the write itself cuts short before its last bytes on a
 * mismatch (see {@link #checkedPut}). Other content goes up as a multipart upload, a few parts at once while the
 * next is read (see {@link #multipart}), completed only when every part went up and the whole digest matches, and
 * aborted otherwise. The SHA-256 is stored as the object's user metadata {@value #SHA256_METADATA}, which
 * {@link #stat} reports; objects written by others report their ETag.
 *
 * <p>{@code Content-MD5} is sent only when the connection asks for it (Object Lock buckets require it): the
 * SHA-256 check already proves the bytes read are the expected ones, and the transport protects them on the way
 * (TLS, or SigV4's signed payload chunks over plain HTTP), so a second digest of every byte bought nothing but an
 * MD5 pass that cost as much CPU as the SHA-256 and the signing together.
 */
final class S3ArtifactStore implements ArtifactStore {

    static final String SHA256_METADATA = "sha256";
    /** Upload threads are named this, then the connection and a number. */
    static final String UPLOAD_THREAD_PREFIX = "switchboard-s3-upload-";

    private final String connection;
    private final Supplier<S3Client> clients;
    private final S3Errors errors;
    private final String bucket;
    private final String prefix;
    private final int partSize;
    private final int partsInFlight;
    private final boolean contentMd5;
    private final long singlePutMax;
    private final Duration requestTimeout;

    S3ArtifactStore(S3Options.Settings settings, Supplier<S3Client> clients, S3Errors errors) {
        this.connection = settings.connection();
        this.clients = clients;
        this.errors = errors;
        this.bucket = settings.bucket();
        this.prefix = settings.prefix();
        this.partSize = settings.partSize();
        this.partsInFlight = settings.partsInFlight();
        this.contentMd5 = settings.contentMd5();
        this.singlePutMax = settings.singlePutMax();
        this.requestTimeout = settings.requestTimeout();
    }

    @Override
    public boolean serves(URI uri) {
        return "s3".equalsIgnoreCase(uri.getScheme()) && bucket.equals(uri.getHost()) && key(uri).startsWith(prefix);
    }

    private static String key(URI uri) {
        String path = uri.getPath() == null ? "" : uri.getPath();
        return path.startsWith("/") ? path.substring(1) : path;
    }

    private String require(URI uri) {
        if (!serves(uri)) {
            throw ConnectorException.configuration(connection, uri + " is not under s3://" + bucket + "/" + prefix
                    + ", which this connection serves");
        }
        String key = key(uri);
        if (key.isEmpty() || key.endsWith("/")) {
            throw ConnectorException.configuration(connection, uri + " names no object (empty key or a folder)");
        }
        return key;
    }

    @Override
    public Optional<ArtifactRef> stat(URI uri) {
        String key = require(uri);
        HeadObjectResponse head;
        try {
            head = client().headObject(r -> r.bucket(bucket).key(key));
        } catch (SdkException e) {
            if (S3Errors.isNotFound(e)) {
                return Optional.empty();
            }
            throw errors.classify("HeadObject", uri.toString(), e);
        }
        String sha256 = head.metadata().get(SHA256_METADATA);
        Digest digest = sha256 != null && sha256.matches("[0-9a-f]{64}") ? Digest.sha256(sha256)
                : head.eTag() == null ? null : new Digest(Digest.Algorithm.ETAG, head.eTag().replace("\"", ""));
        return Optional.of(new ArtifactRef(uri, head.contentLength(), digest, head.contentType()));
    }

    @Override
    public InputStream open(URI uri) {
        String key = require(uri);
        try {
            return client().getObject(r -> r.bucket(bucket).key(key));
        } catch (SdkException e) {
            if (S3Errors.isNotFound(e)) {
                throw ConnectorException.configuration(connection, "no object at " + uri);
            }
            throw errors.classify("GetObject", uri.toString(), e);
        }
    }

    @Override
    public ArtifactRef write(URI uri, InputStream content, long size, Digest expected) {
        String key = require(uri);
        if (streamsInOnePut(size, expected)) {
            return checkedPut(uri, key, content, size, expected);
        }
        MessageDigest sha256 = Digest.sha256Hasher();
        // readNBytes(int) allocates only what small content needs; a full part continues as a multipart upload.
        byte[] first = read(uri, content, partSize);
        sha256.update(first);
        if (first.length < partSize) {
            Digest actual = Digest.sha256(sha256);
            check(uri, expected, actual);
            try {
                client().putObject(r -> r.bucket(bucket).key(key).contentLength((long) first.length)
                                .contentMD5(md5(first, first.length)).metadata(Map.of(SHA256_METADATA, actual.value())),
                        body(first, first.length));
            } catch (SdkException e) {
                throw errors.classify("PutObject", uri.toString(), e);
            }
            return new ArtifactRef(uri, (long) first.length, actual, null);
        }
        return multipart(uri, key, content, first, sha256, expected);
    }

    /**
     * Whether the content goes up as one streamed PutObject: its SHA-256 must be known before the first byte is
     * sent, for the server's check and for cutting the request short, and its size too, for the Content-Length.
     * Content smaller than a part keeps the buffered PUT (checked before anything is sent); {@code Content-MD5}
     * of a whole object cannot be known before it streams, so a connection that sends it uploads in parts.
     */
    private boolean streamsInOnePut(long size, Digest expected) {
        return expected != null && expected.algorithm() == Digest.Algorithm.SHA_256 && size >= partSize
                && size <= singlePutMax && !contentMd5;
    }

    /**
     * Streams the content as one PutObject with {@code x-amz-checksum-sha256} set to the expected digest, holding
     * no more of it than the SDK's chunk. Two things keep a mismatch from ever becoming visible: the server
     * refuses a body whose SHA-256 differs ({@code BadDigest}; S3 does, and so does S3Proxy, which the tests run
     * against), and {@link CheckedContent} checks the digest — and that the source ends where the size says —
     * before it hands over the last bytes, so on a mismatch the request fails with its body incomplete and even
     * a server that ignores the header stores nothing. Compared with a multipart upload this saves about one
     * request per part and the server's assembly of the parts, which on a filesystem-backed server rereads and
     * rewrites the whole object.
     */
    private ArtifactRef checkedPut(URI uri, String key, InputStream content, long size, Digest expected) {
        CheckedContent body = new CheckedContent(uri, content, size, expected);
        try {
            client().putObject(r -> r.bucket(bucket).key(key).contentLength(size)
                            .checksumSHA256(Base64.getEncoder().encodeToString(HexFormat.of().parseHex(expected.value())))
                            .metadata(Map.of(SHA256_METADATA, expected.value())),
                    RequestBody.fromContentProvider(body, size, "application/octet-stream"));
        } catch (RuntimeException e) {
            // The SDK wraps a failed body in an SdkClientException, but lets the refusal to reopen it on a retry
            // through as it was thrown.
            if (body.failure != null) {
                throw body.failure; // the content was refused or could not be read; the SDK only carried that
            }
            if (e instanceof SdkException sdk) {
                throw errors.classify("PutObject", uri.toString(), sdk);
            }
            throw e;
        }
        if (!body.verified) {
            // The SDK reports success only after sending Content-Length bytes, and the last of them are handed
            // over only after the check: reaching here unchecked is a bug, and nothing may be claimed.
            throw ConnectorException.system(connection, "PutObject of " + uri + " ended before its content was "
                    + "checked", null);
        }
        return new ArtifactRef(uri, size, expected, null);
    }

    /**
     * The body of a {@link #checkedPut}: reads exactly {@code size} bytes from the source and computes their
     * SHA-256; the read that reaches {@code size} first checks that the source ends there and that the digest
     * matches, and fails instead of returning its bytes if not. The source streams once: the SDK may open the
     * body again only while nothing has been read (a retry after bytes went out fails, and the hub retries the
     * whole copy). Closing it leaves the source open; its owner closes it.
     */
    private final class CheckedContent extends InputStream implements ContentStreamProvider {
        private final URI uri;
        private final InputStream source;
        private final long size;
        private final Digest expected;
        private final MessageDigest sha256 = Digest.sha256Hasher();
        private long read;
        /** Why the body failed, as the write should report it; set before the SDK sees the failure. */
        volatile ConnectorException failure;
        volatile boolean verified;

        CheckedContent(URI uri, InputStream source, long size, Digest expected) {
            this.uri = uri;
            this.source = source;
            this.size = size;
            this.expected = expected;
        }

        @Override
        public InputStream newStream() {
            if (read > 0) {
                // The SDK retries a request whose body failed: the first failure (a mismatch, say) is the one to
                // report, not this refusal to send other bytes.
                if (failure == null) {
                    failure = ConnectorException.transientFailure(connection, "S3 PutObject of " + uri + " failed "
                            + "after " + read + " bytes were sent, and the content streams from its source only "
                            + "once; nothing was written", null);
                }
                throw new IllegalStateException(failure.getMessage());
            }
            return this;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (read == size) {
                return -1;
            }
            int n;
            try {
                n = source.read(b, off, (int) Math.min(len, size - read));
            } catch (IOException e) {
                throw fail(readFailed(uri, e));
            }
            if (n < 0) {
                throw fail(ConnectorException.transientFailure(connection, "the content for " + uri + " ended after "
                        + read + " of its " + size + " bytes; nothing was written", null));
            }
            sha256.update(b, off, n);
            read += n;
            if (read == size) {
                checkEnd();
            }
            return n;
        }

        /** Called before the last bytes are returned, so a failure here leaves the request's body incomplete. */
        private void checkEnd() throws IOException {
            int more;
            try {
                more = source.read();
            } catch (IOException e) {
                throw fail(readFailed(uri, e));
            }
            if (more >= 0) {
                throw fail(ConnectorException.configuration(connection, "the content for " + uri + " is longer than "
                        + "the " + size + " bytes it was said to have; nothing was written"));
            }
            Digest actual = Digest.sha256(sha256);
            try {
                check(uri, expected, actual);
            } catch (ConnectorException mismatch) {
                throw fail(mismatch);
            }
            verified = true;
        }

        private IOException fail(ConnectorException e) {
            if (failure == null) {
                failure = e;
            }
            return new IOException(e.getMessage(), e);
        }

        @Override
        public void close() {
            // The source belongs to the caller of write.
        }
    }

    /**
     * Uploads the content as a multipart upload whose parts go up while the next part is read: reading the source
     * and writing the target overlap instead of taking turns, and the target's answer to one part is not waited
     * for before the next part is sent. At most {@link #partsInFlight} parts upload at once and one more is read,
     * each in a buffer of {@link #partSize} that is reused, so a write holds at most
     * {@code (partsInFlight + 1) × partSize} however large the content.
     *
     * <p>The upload is completed only after every part succeeded and the SHA-256 of everything read matches. On any
     * failure — a part, a read, a mismatch, an interrupt — the parts not yet sent are cancelled, the ones being sent
     * are waited for (at most one request timeout), and only then is the upload aborted, so no part lands after the
     * abort and no upload thread outlives the write.
     */
    private ArtifactRef multipart(URI uri, String key, InputStream content, byte[] first, MessageDigest sha256,
                                  Digest expected) {
        String uploadId;
        try {
            uploadId = client().createMultipartUpload(r -> r.bucket(bucket).key(key)
                    .metadata(expected == null ? Map.of() : Map.of(SHA256_METADATA, expected.value()))).uploadId();
        } catch (SdkException e) {
            throw errors.classify("CreateMultipartUpload", uri.toString(), e);
        }
        ExecutorService uploads = Executors.newFixedThreadPool(partsInFlight, uploadThreads());
        try {
            Deque<PendingPart> pending = new ArrayDeque<>();
            List<CompletedPart> parts = new ArrayList<>();
            long total = 0;
            int buffers = 1;
            byte[] buffer = first;
            int length = first.length;
            while (length > 0) {
                int number = parts.size() + pending.size() + 1;
                byte[] part = buffer;
                int partLength = length;
                pending.add(new PendingPart(part, uploads.submit(() -> uploadPart(key, uploadId, number, part,
                        partLength))));
                total += length;
                if (buffers <= partsInFlight) {
                    buffer = new byte[partSize];
                    buffers++;
                } else {
                    PendingPart oldest = pending.remove();
                    parts.add(await(uri, oldest));
                    buffer = oldest.buffer();
                }
                length = read(uri, content, buffer);
                sha256.update(buffer, 0, length);
            }
            Digest actual = Digest.sha256(sha256);
            check(uri, expected, actual);
            while (!pending.isEmpty()) {
                parts.add(await(uri, pending.remove()));
            }
            client().completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
            return new ArtifactRef(uri, total, actual, null);
        } catch (RuntimeException e) {
            stop(uploads);
            abort(key, uploadId);
            if (e instanceof SdkException sdk) {
                throw errors.classify("multipart upload", uri.toString(), sdk);
            }
            throw e;
        } finally {
            stop(uploads); // after a success the threads are idle and end at once
        }
    }

    /** The connection's SDK client (built on first use). */
    private S3Client client() {
        return clients.get();
    }

    /** A part handed to the upload threads, and the buffer that is free again once it has gone up. */
    private record PendingPart(byte[] buffer, Future<CompletedPart> upload) {
    }

    private CompletedPart uploadPart(String key, String uploadId, int number, byte[] part, int length) {
        String etag = client().uploadPart(r -> r.bucket(bucket).key(key).uploadId(uploadId).partNumber(number)
                .contentLength((long) length).contentMD5(md5(part, length)), body(part, length)).eTag();
        return CompletedPart.builder().partNumber(number).eTag(etag).build();
    }

    /** Waits for one part's upload; its failure is rethrown as it was thrown. */
    private CompletedPart await(URI uri, PendingPart part) {
        try {
            return part.upload().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw ConnectorException.transientFailure(connection, "uploading a part of " + uri + " failed: "
                    + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ConnectorException.transientFailure(connection, "interrupted while uploading " + uri, e);
        }
    }

    /**
     * Cancels the parts not yet sent and waits, at most one request timeout, for those being sent (a blocked socket
     * write does not end on an interrupt; the SDK's timeouts end it).
     */
    private void stop(ExecutorService uploads) {
        uploads.shutdownNow();
        try {
            uploads.awaitTermination(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ThreadFactory uploadThreads() {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, UPLOAD_THREAD_PREFIX + connection + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** The bytes as a request body, without the copy {@link RequestBody#fromBytes} makes; a retry reads them anew. */
    private static RequestBody body(byte[] bytes, int length) {
        return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(bytes, 0, length), length,
                "application/octet-stream");
    }

    private void abort(String key, String uploadId) {
        try {
            client().abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId));
        } catch (SdkException ignored) {
            // Nothing was completed, so nothing is visible; a bucket lifecycle rule removes stale parts.
        }
    }

    private void check(URI uri, Digest expected, Digest actual) {
        if (expected != null && !expected.equals(actual)) {
            throw ConnectorException.configuration(connection, "content for " + uri + " has SHA-256 " + actual.value()
                    + " but " + expected.value() + " was expected; nothing was written");
        }
    }

    /** Reads up to {@code max} bytes; fewer only at the end of the stream. */
    private byte[] read(URI uri, InputStream content, int max) {
        try {
            return content.readNBytes(max);
        } catch (IOException e) {
            throw readFailed(uri, e);
        }
    }

    /** Fills {@code buffer}; returns how many bytes were read, fewer than its length only at the end. */
    private int read(URI uri, InputStream content, byte[] buffer) {
        try {
            return content.readNBytes(buffer, 0, buffer.length);
        } catch (IOException e) {
            throw readFailed(uri, e);
        }
    }

    private ConnectorException readFailed(URI uri, IOException e) {
        return ConnectorException.transientFailure(connection, "reading the content for " + uri + " failed: "
                + e.getMessage(), e);
    }

    /** The {@code Content-MD5} of the bytes if the connection sends it, else {@code null} (no header). */
    private String md5(byte[] bytes, int length) {
        if (!contentMd5) {
            return null;
        }
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update(bytes, 0, length);
            return Base64.getEncoder().encodeToString(md5.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has MD5", e);
        }
    }
}
