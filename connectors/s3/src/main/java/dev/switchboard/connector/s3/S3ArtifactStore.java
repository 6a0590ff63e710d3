package dev.switchboard.connector.s3;

import dev.switchboard.model.ArtifactRef;
import dev.switchboard.model.Digest;
import dev.switchboard.spi.ArtifactStore;
import dev.switchboard.spi.ConnectorException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * Artifacts in one bucket under one prefix, addressed as {@code s3://bucket/key}.
 *
 * <p>Writes stream in parts of the configured size and compute SHA-256 on the way. Content that fits in one part
 * is checked before it is sent, then PUT with {@code Content-MD5}; larger content goes up as a multipart upload,
 * each part with {@code Content-MD5}, and the upload is completed only when the whole digest matches, and aborted
 * otherwise, so nothing is ever visible at the URI after a mismatch. The SHA-256 is stored as the object's user
 * metadata {@value #SHA256_METADATA}, which {@link #stat} reports; objects written by others report their ETag.
 */
final class S3ArtifactStore implements ArtifactStore {

    static final String SHA256_METADATA = "sha256";

    private final String connection;
    private final S3Client client;
    private final S3Errors errors;
    private final String bucket;
    private final String prefix;
    private final int partSize;

    S3ArtifactStore(String connection, S3Client client, S3Errors errors, String bucket, String prefix, int partSize) {
        this.connection = connection;
        this.client = client;
        this.errors = errors;
        this.bucket = bucket;
        this.prefix = prefix;
        this.partSize = partSize;
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
            head = client.headObject(r -> r.bucket(bucket).key(key));
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
            return client.getObject(r -> r.bucket(bucket).key(key));
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
        MessageDigest sha256 = sha256();
        byte[] first = read(uri, content, partSize);
        sha256.update(first);
        if (first.length < partSize) {
            Digest actual = Digest.sha256(HexFormat.of().formatHex(sha256.digest()));
            check(uri, expected, actual);
            try {
                client.putObject(r -> r.bucket(bucket).key(key).contentLength((long) first.length)
                                .contentMD5(md5(first)).metadata(Map.of(SHA256_METADATA, actual.value())),
                        RequestBody.fromBytes(first));
            } catch (SdkException e) {
                throw errors.classify("PutObject", uri.toString(), e);
            }
            return new ArtifactRef(uri, (long) first.length, actual, null);
        }
        return multipart(uri, key, content, first, sha256, expected);
    }

    private ArtifactRef multipart(URI uri, String key, InputStream content, byte[] first, MessageDigest sha256,
                                  Digest expected) {
        String uploadId;
        try {
            uploadId = client.createMultipartUpload(r -> r.bucket(bucket).key(key)
                    .metadata(expected == null ? Map.of() : Map.of(SHA256_METADATA, expected.value()))).uploadId();
        } catch (SdkException e) {
            throw errors.classify("CreateMultipartUpload", uri.toString(), e);
        }
        try {
            List<CompletedPart> parts = new ArrayList<>();
            long total = 0;
            byte[] part = first;
            while (part.length > 0) {
                int number = parts.size() + 1;
                byte[] body = part;
                String etag = client.uploadPart(r -> r.bucket(bucket).key(key).uploadId(uploadId).partNumber(number)
                        .contentLength((long) body.length).contentMD5(md5(body)), RequestBody.fromBytes(body)).eTag();
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
                total += part.length;
                part = read(uri, content, partSize);
                sha256.update(part);
            }
            Digest actual = Digest.sha256(HexFormat.of().formatHex(sha256.digest()));
            check(uri, expected, actual);
            client.completeMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
            return new ArtifactRef(uri, total, actual, null);
        } catch (RuntimeException e) {
            abort(key, uploadId);
            if (e instanceof SdkException sdk) {
                throw errors.classify("multipart upload", uri.toString(), sdk);
            }
            throw e;
        }
    }

    private void abort(String key, String uploadId) {
        try {
            client.abortMultipartUpload(r -> r.bucket(bucket).key(key).uploadId(uploadId));
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
            throw ConnectorException.transientFailure(connection, "reading the content for " + uri + " failed: "
                    + e.getMessage(), e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static String md5(byte[] bytes) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has MD5", e);
        }
    }
}
