package dev.switchboard.connector.dvc.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.BiFunction;

/**
 * Passes an object's bytes through while computing DVC's md5 and counting them, and fails instead of reporting the
 * end of the stream when the md5 or the size is not the one recorded: a reader sees end-of-file only for content
 * that verified, so nothing unverified is passed on as complete. A stream longer than the recorded size fails as
 * soon as it is.
 */
public final class VerifyingInputStream extends FilterInputStream {

    private final DvcMd5 md5;
    private final String expectedMd5;
    private final long expectedSize;
    private final BiFunction<String, String, RuntimeException> mismatch;
    private boolean verified;

    /**
     * @param expectedSize the recorded size, or {@code -1} when unknown
     * @param mismatch     builds the error from what was expected and what was found
     */
    public VerifyingInputStream(InputStream in, String expectedMd5, boolean dos2unix, long expectedSize,
                                BiFunction<String, String, RuntimeException> mismatch) {
        super(in);
        this.md5 = new DvcMd5(dos2unix);
        this.expectedMd5 = expectedMd5;
        this.expectedSize = expectedSize;
        this.mismatch = mismatch;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            md5.update(buffer, offset, n);
            if (expectedSize >= 0 && md5.size() > expectedSize) {
                throw mismatch.apply("size " + expectedSize, "more bytes than that");
            }
        } else if (n < 0 && !verified) {
            verified = true;
            String actual = md5.hex();
            if (expectedSize >= 0 && md5.size() != expectedSize) {
                throw mismatch.apply("size " + expectedSize, "size " + md5.size());
            }
            if (!actual.equals(expectedMd5)) {
                throw mismatch.apply("md5 " + expectedMd5, "md5 " + actual);
            }
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // Skipped bytes must be hashed too.
        byte[] buffer = new byte[(int) Math.min(8192, Math.max(n, 0))];
        long skipped = 0;
        while (skipped < n) {
            int read = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
            if (read < 0) {
                break;
            }
            skipped += read;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
