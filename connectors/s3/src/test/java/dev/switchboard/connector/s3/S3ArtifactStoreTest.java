package dev.switchboard.connector.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.Digest;
import dev.switchboard.spi.ConnectionConfig;
import dev.switchboard.spi.ConnectorException;
import dev.switchboard.spi.ErrorKind;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * The writes against an in-memory S3 client that can fail a part and records what was sent. The pipelined multipart
 * write: failures of a part, of the source and of the digest abort the upload after every part request has ended,
 * and leave no upload thread behind; parts go up concurrently, in order, with the right bytes. The streamed single
 * PUT: taken only with a known size and digest within the limit, it carries the checksum, and a mismatch, a source
 * longer or shorter than stated, or a re-read fails it before the body's last bytes are handed over.
 */
class S3ArtifactStoreTest {

    static final int PART = S3Options.MIN_PART_SIZE_MB * 1024 * 1024;
    static final URI URI_ = URI.create("s3://bucket/models/model.bin");
    /** The multipart tests give no size: with a size and a digest the content would go up in one PUT. */
    static final long UNKNOWN_SIZE = -1;

    @Test
    void partsGoUpConcurrentlyButNeverMoreThanPartsInFlightAndCompleteInOrderWithTheirBytes()
            throws InterruptedException {
        RecordingClient s3 = new RecordingClient();
        s3.uploadDelayMillis = 30;
        byte[] content = random(PART * 6 + 123);

        ArtifactRef written = store(s3).write(URI_, new ByteArrayInputStream(content), UNKNOWN_SIZE,
                sha256(content));

        assertThat(written.size()).isEqualTo((long) content.length);
        assertThat(written.digest()).isEqualTo(sha256(content));
        assertThat(s3.puts).isEmpty();
        assertThat(s3.maxConcurrentUploads.get()).isEqualTo(2);
        assertThat(s3.completed).extracting(CompletedPart::partNumber).containsExactly(1, 2, 3, 4, 5, 6, 7);
        for (int number = 1; number <= 7; number++) {
            byte[] expected = Arrays.copyOfRange(content, (number - 1) * PART, Math.min(content.length,
                    number * PART));
            assertThat(s3.bodies.get(number)).as("part %d", number).isEqualTo(expected);
        }
        assertThat(s3.aborted.get()).isZero();
        assertNoUploadThreadLeft();
    }

    @Test
    void aFailedPartAbortsTheUploadAfterThePartsInFlightEndedAndLeavesNoThread() throws InterruptedException {
        RecordingClient s3 = new RecordingClient();
        s3.uploadDelayMillis = 20;
        s3.failingPart = 3;
        byte[] content = random(PART * 8);

        ConnectorException e = catchThrowableOfType(ConnectorException.class,
                () -> store(s3).write(URI_, new ByteArrayInputStream(content), UNKNOWN_SIZE, sha256(content)));

        assertThat(e.kind()).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(s3.aborted.get()).isEqualTo(1);
        assertThat(s3.uploadsRunningAtAbort.get()).isZero();
        assertThat(s3.completeCalls.get()).isZero();
        assertThat(s3.bodies).doesNotContainKey(8);
        assertNoUploadThreadLeft();
    }

    @Test
    void aSourceThatFailsMidwayAbortsTheUploadAndLeavesNoThread() throws InterruptedException {
        RecordingClient s3 = new RecordingClient();
        byte[] content = random(PART * 5);
        InputStream failing = new FailingAfter(new ByteArrayInputStream(content), PART * 2 + PART / 2);

        ConnectorException e = catchThrowableOfType(ConnectorException.class,
                () -> store(s3).write(URI_, failing, UNKNOWN_SIZE, sha256(content)));

        assertThat(e.kind()).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(e.getMessage()).contains("reading the content for " + URI_);
        assertThat(s3.aborted.get()).isEqualTo(1);
        assertThat(s3.uploadsRunningAtAbort.get()).isZero();
        assertThat(s3.completeCalls.get()).isZero();
        assertNoUploadThreadLeft();
    }

    @Test
    void aDigestMismatchOverManyPartsAbortsAndCompletesNothing() throws InterruptedException {
        RecordingClient s3 = new RecordingClient();
        s3.uploadDelayMillis = 20;
        byte[] content = random(PART * 4 + 1);
        Digest wrong = Digest.sha256("0".repeat(64));

        ConnectorException e = catchThrowableOfType(ConnectorException.class,
                () -> store(s3).write(URI_, new ByteArrayInputStream(content), UNKNOWN_SIZE, wrong));

        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(e.getMessage()).contains(sha256(content).value()).contains("nothing was written");
        assertThat(s3.aborted.get()).isEqualTo(1);
        assertThat(s3.uploadsRunningAtAbort.get()).isZero();
        assertThat(s3.completeCalls.get()).isZero();
        assertNoUploadThreadLeft();
    }

    @Test
    void contentMd5IsSentOnlyWhenTheConnectionAsksForIt() {
        RecordingClient plain = new RecordingClient();
        byte[] content = random(PART + 1);
        store(plain).write(URI_, new ByteArrayInputStream(content), UNKNOWN_SIZE, sha256(content));
        assertThat(plain.contentMd5s).containsOnlyNulls().hasSize(2);

        // Known size and digest would stream as one PUT, but the MD5 of a whole object is unknown before it
        // streams: a connection that sends Content-MD5 uploads in parts.
        RecordingClient md5 = new RecordingClient();
        new S3ArtifactStore(settings(Map.of("content-md5", "true")), () -> md5, errors())
                .write(URI_, new ByteArrayInputStream(content), content.length, sha256(content));
        assertThat(md5.puts).isEmpty();
        assertThat(md5.contentMd5s).doesNotContainNull().hasSize(2);
    }

    @Test
    void knownSizeAndDigestStreamAsOnePutCarryingTheChecksumForTheServerToCheck() {
        RecordingClient s3 = new RecordingClient();
        byte[] content = random(PART * 3 + 77);
        Digest digest = sha256(content);

        ArtifactRef written = store(s3).write(URI_, new ByteArrayInputStream(content), content.length, digest);

        assertThat(written.size()).isEqualTo((long) content.length);
        assertThat(written.digest()).isEqualTo(digest);
        assertThat(s3.puts).hasSize(1);
        PutObjectRequest put = s3.puts.get(0);
        assertThat(put.contentLength()).isEqualTo((long) content.length);
        assertThat(put.checksumSHA256()).isEqualTo(Base64.getEncoder().encodeToString(HexFormat.of()
                .parseHex(digest.value())));
        assertThat(put.metadata()).containsEntry(S3ArtifactStore.SHA256_METADATA, digest.value());
        assertThat(s3.objects.get("models/model.bin")).isEqualTo(content);
        assertThat(s3.multipartStarted.get()).isZero();
    }

    @Test
    void aDigestMismatchInOnePutFailsBeforeTheLastBytesAreHandedOverSoTheBodyStaysIncomplete() {
        RecordingClient s3 = new RecordingClient();
        byte[] content = random(PART * 2 + 5);
        Digest wrong = Digest.sha256("0".repeat(64));

        ConnectorException e = catchThrowableOfType(ConnectorException.class,
                () -> store(s3).write(URI_, new ByteArrayInputStream(content), content.length, wrong));

        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(e.getMessage()).contains(sha256(content).value()).contains(wrong.value())
                .contains("nothing was written");
        // Even a server that ignored x-amz-checksum-sha256 could store nothing: its body never ended.
        assertThat(s3.handedOver.get()).isLessThan(content.length);
        assertThat(s3.objects).isEmpty();
    }

    @Test
    void aMismatchIsReportedAsSuchEvenWhenTheSdkRetriesTheFailedBody() {
        RecordingClient s3 = new RecordingClient();
        s3.retryFailedBody = true;
        byte[] content = random(PART * 2 + 5);
        Digest wrong = Digest.sha256("0".repeat(64));

        ConnectorException e = catchThrowableOfType(ConnectorException.class,
                () -> store(s3).write(URI_, new ByteArrayInputStream(content), content.length, wrong));

        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(e.getMessage()).contains(sha256(content).value()).contains(wrong.value());
        assertThat(s3.objects).isEmpty();
    }

    @Test
    void contentLongerThanItsStatedSizeFailsOnePutBeforeItsLastBytes() {
        RecordingClient s3 = new RecordingClient();
        byte[] content = random(PART * 2 + 5);
        int stated = PART * 2;
        // The digest of the first `stated` bytes: the server's own check would pass what was sent.
        Digest ofPrefix = sha256(Arrays.copyOf(content, stated));

        ConnectorException e = catchThrowableOfType(ConnectorException.class,
                () -> store(s3).write(URI_, new ByteArrayInputStream(content), stated, ofPrefix));

        assertThat(e.kind()).isEqualTo(ErrorKind.CONFIGURATION);
        assertThat(e.getMessage()).contains("longer than the " + stated + " bytes");
        assertThat(s3.handedOver.get()).isLessThan(stated);
        assertThat(s3.objects).isEmpty();
    }

    @Test
    void contentShorterThanItsStatedSizeOrASourceFailureFailsOnePutAsTransient() {
        RecordingClient s3 = new RecordingClient();
        byte[] content = random(PART * 2);

        ConnectorException shorter = catchThrowableOfType(ConnectorException.class, () -> store(s3).write(URI_,
                new ByteArrayInputStream(content), content.length + 10L, sha256(content)));
        ConnectorException failed = catchThrowableOfType(ConnectorException.class, () -> store(s3).write(URI_,
                new FailingAfter(new ByteArrayInputStream(content), PART), content.length, sha256(content)));

        assertThat(shorter.kind()).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(shorter.getMessage()).contains("ended after " + content.length + " of its "
                + (content.length + 10) + " bytes");
        assertThat(failed.kind()).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(failed.getMessage()).contains("reading the content for " + URI_)
                .contains("connection reset by the source");
        assertThat(s3.objects).isEmpty();
    }

    @Test
    void aRetryThatWouldReopenTheBodyAfterBytesWentOutFailsAsTransientInsteadOfSendingOtherBytes() {
        RecordingClient s3 = new RecordingClient();
        s3.reopenAfter = 1;
        byte[] content = random(PART * 2);

        ConnectorException e = catchThrowableOfType(ConnectorException.class, () -> store(s3).write(URI_,
                new ByteArrayInputStream(content), content.length, sha256(content)));

        assertThat(e.kind()).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(e.getMessage()).contains("streams from its source only once");
        assertThat(s3.objects).isEmpty();
    }

    @Test
    void aServerBadDigestAfterTheConnectorsOwnCheckPassedIsTransientBecauseBytesChangedOnTheWay() {
        RecordingClient s3 = new RecordingClient();
        s3.putErrorCode = "BadDigest";
        byte[] content = random(PART * 2);

        ConnectorException e = catchThrowableOfType(ConnectorException.class, () -> store(s3).write(URI_,
                new ByteArrayInputStream(content), content.length, sha256(content)));

        assertThat(e.kind()).isEqualTo(ErrorKind.TRANSIENT);
        assertThat(e.getMessage()).contains("PutObject").contains("BadDigest");
        assertThat(s3.handedOver.get()).isEqualTo(content.length);
    }

    @Test
    void withoutADigestOrASizeOrAboveTheSinglePutLimitTheContentGoesUpInParts() {
        byte[] content = random(PART * 2 + 1);
        RecordingClient noDigest = new RecordingClient();
        store(noDigest).write(URI_, new ByteArrayInputStream(content), content.length, null);
        RecordingClient noSize = new RecordingClient();
        store(noSize).write(URI_, new ByteArrayInputStream(content), UNKNOWN_SIZE, sha256(content));
        RecordingClient tooLarge = new RecordingClient();
        new S3ArtifactStore(settings(Map.of("single-put-max-mb", String.valueOf(S3Options.MIN_PART_SIZE_MB * 2))),
                () -> tooLarge, errors()).write(URI_, new ByteArrayInputStream(content), content.length,
                sha256(content));
        RecordingClient off = new RecordingClient();
        new S3ArtifactStore(settings(Map.of("single-put-max-mb", "0")), () -> off, errors())
                .write(URI_, new ByteArrayInputStream(content), content.length, sha256(content));

        for (RecordingClient s3 : List.of(noDigest, noSize, tooLarge, off)) {
            assertThat(s3.puts).isEmpty();
            assertThat(s3.multipartStarted.get()).isEqualTo(1);
            assertThat(s3.completed).hasSize(3);
        }
    }

    @Test
    void atTheSinglePutLimitTheContentStillGoesUpInOnePut() {
        byte[] content = random(PART * 2);
        RecordingClient s3 = new RecordingClient();
        new S3ArtifactStore(settings(Map.of("single-put-max-mb", String.valueOf(S3Options.MIN_PART_SIZE_MB * 2))),
                () -> s3, errors()).write(URI_, new ByteArrayInputStream(content), content.length, sha256(content));

        assertThat(s3.puts).hasSize(1);
        assertThat(s3.multipartStarted.get()).isZero();
    }

    private static S3ArtifactStore store(S3Client client) {
        return new S3ArtifactStore(settings(Map.of()), () -> client, errors());
    }

    private static S3Options.Settings settings(Map<String, String> extra) {
        Map<String, String> options = new ConcurrentHashMap<>(Map.of("bucket-prefix", "s3://bucket/models",
                "part-size-mb", String.valueOf(S3Options.MIN_PART_SIZE_MB), "parts-in-flight", "2"));
        options.putAll(extra);
        return S3Options.Settings.of(new ConnectionConfig("s3-test", S3Connector.TYPE, options));
    }

    private static S3Errors errors() {
        return new S3Errors("s3-test", List.of());
    }

    /**
     * The pool has terminated when {@code write} returns, but a worker thread that has left its task may still be
     * alive for a moment while it exits: each is given time to end, and none may still be running.
     */
    private static void assertNoUploadThreadLeft() throws InterruptedException {
        for (Thread thread : uploadThreads()) {
            thread.join(10_000);
        }
        assertThat(uploadThreads()).isEmpty();
    }

    private static List<Thread> uploadThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(S3ArtifactStore.UPLOAD_THREAD_PREFIX) && t.isAlive()).toList();
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    private static Digest sha256(byte[] bytes) {
        try {
            return Digest.sha256(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Gives {@code limit} bytes, then fails as a dropped source connection would. */
    static final class FailingAfter extends InputStream {
        private final InputStream in;
        private int remaining;

        FailingAfter(InputStream in, int limit) {
            this.in = in;
            this.remaining = limit;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                throw new IOException("connection reset by the source");
            }
            int n = in.read(b, off, Math.min(len, remaining));
            remaining -= Math.max(n, 0);
            return n;
        }
    }

    /** Multipart calls in memory; a part can fail with a 500, uploads can be slowed to overlap. */
    static final class RecordingClient implements S3Client {
        volatile int failingPart = -1;
        volatile long uploadDelayMillis;
        final Map<Integer, byte[]> bodies = new ConcurrentHashMap<>();
        final List<String> contentMd5s = new CopyOnWriteArrayList<>();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxConcurrentUploads = new AtomicInteger();
        final AtomicInteger uploadsRunningAtAbort = new AtomicInteger(-1);
        final AtomicInteger aborted = new AtomicInteger();
        final AtomicInteger completeCalls = new AtomicInteger();
        volatile List<CompletedPart> completed = List.of();
        final AtomicInteger multipartStarted = new AtomicInteger();
        final List<PutObjectRequest> puts = new CopyOnWriteArrayList<>();
        final Map<String, byte[]> objects = new ConcurrentHashMap<>();
        /** How many bytes of the last PUT's body were handed over before it ended or failed. */
        final AtomicInteger handedOver = new AtomicInteger(-1);
        /** Once this many bytes of a PUT were read, the body is opened again, as an SDK retry would. */
        volatile int reopenAfter = -1;
        /** Whether a PUT whose body failed is tried again, opening the body anew, as the SDK does. */
        volatile boolean retryFailedBody;
        /** When set, a PUT whose whole body arrived is refused with HTTP 400 and this error code. */
        volatile String putErrorCode;

        /**
         * Reads the body as the SDK's transport does, in chunks up to the Content-Length; the object exists only
         * if all of it arrived, as on a server that gets an incomplete body.
         */
        @Override
        public PutObjectResponse putObject(PutObjectRequest request, RequestBody body) {
            puts.add(request);
            long length = request.contentLength();
            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            byte[] chunk = new byte[128 * 1024];
            try {
                InputStream in = body.contentStreamProvider().newStream();
                while (sent.size() < length) {
                    int n = in.read(chunk, 0, (int) Math.min(chunk.length, length - sent.size()));
                    if (n < 0) {
                        break;
                    }
                    sent.write(chunk, 0, n);
                    if (reopenAfter >= 0 && sent.size() >= reopenAfter) {
                        reopenAfter = -1;
                        body.contentStreamProvider().newStream();
                    }
                }
            } catch (IOException | RuntimeException e) {
                handedOver.set(sent.size());
                if (retryFailedBody) {
                    // The SDK's standard retry takes a failed body's IOException for a transient fault, and lets
                    // what the body's provider throws on reopening through unwrapped.
                    body.contentStreamProvider().newStream();
                }
                throw SdkClientException.create("Unable to execute HTTP request: " + e.getMessage(), e);
            }
            handedOver.set(sent.size());
            if (sent.size() < length) {
                throw SdkClientException.create("the body ended after " + sent.size() + " of " + length + " bytes");
            }
            if (putErrorCode != null) {
                throw (S3Exception) S3Exception.builder().statusCode(400).message("Bad Request")
                        .awsErrorDetails(AwsErrorDetails.builder().errorCode(putErrorCode).errorMessage("Bad Request")
                                .build()).build();
            }
            objects.put(request.key(), sent.toByteArray());
            return PutObjectResponse.builder().build();
        }

        @Override
        public CreateMultipartUploadResponse createMultipartUpload(CreateMultipartUploadRequest request) {
            multipartStarted.incrementAndGet();
            return CreateMultipartUploadResponse.builder().uploadId("upload-1").build();
        }

        @Override
        public UploadPartResponse uploadPart(UploadPartRequest request, RequestBody body) {
            maxConcurrentUploads.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                contentMd5s.add(request.contentMD5());
                try (InputStream in = body.contentStreamProvider().newStream()) {
                    bodies.put(request.partNumber(), in.readAllBytes());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                if (uploadDelayMillis > 0) {
                    Thread.sleep(uploadDelayMillis);
                }
                if (request.partNumber() == failingPart) {
                    throw (S3Exception) S3Exception.builder().statusCode(500).message("We encountered an internal "
                            + "error").awsErrorDetails(AwsErrorDetails.builder().errorCode("InternalError").build())
                            .build();
                }
                return UploadPartResponse.builder().eTag("\"etag-" + request.partNumber() + "\"").build();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } finally {
                running.decrementAndGet();
            }
        }

        @Override
        public CompleteMultipartUploadResponse completeMultipartUpload(CompleteMultipartUploadRequest request) {
            completeCalls.incrementAndGet();
            completed = request.multipartUpload().parts();
            return CompleteMultipartUploadResponse.builder().build();
        }

        @Override
        public AbortMultipartUploadResponse abortMultipartUpload(AbortMultipartUploadRequest request) {
            uploadsRunningAtAbort.set(running.get());
            aborted.incrementAndGet();
            return AbortMultipartUploadResponse.builder().build();
        }

        @Override
        public String serviceName() {
            return "s3";
        }

        @Override
        public void close() {
        }
    }
}
