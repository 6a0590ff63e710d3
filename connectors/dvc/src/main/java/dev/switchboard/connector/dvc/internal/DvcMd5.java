package dev.switchboard.connector.dvc.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * DVC's md5 of a stream, in both flavours. DVC 3 ({@code hash: md5}) hashes the raw bytes. DVC 2.x's legacy
 * {@code md5-dos2unix} (dvc-data {@code Dos2UnixHashStreamFile}, read in blocks of 1 MiB by {@code fobj_md5}) decides
 * for each 1 MiB block, from its first 512 bytes, whether it is text (no NUL, at most 30 % of bytes outside printable
 * ASCII and {@code \n\r\t\f\b}); a text block is hashed with every CRLF replaced by LF. A CRLF split across two blocks
 * stays, as in DVC. Feed bytes with {@link #update}; blocks are cut at the same offsets whatever the read sizes.
 */
public final class DvcMd5 {

    static final int BLOCK = 1 << 20;
    static final int TEXT_PROBE = 512;

    private final MessageDigest md5;
    private final boolean dos2unix;
    private final byte[] block;
    private int filled;
    private long total;

    public DvcMd5(boolean dos2unix) {
        try {
            this.md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has MD5", e);
        }
        this.dos2unix = dos2unix;
        this.block = dos2unix ? new byte[BLOCK] : null;
    }

    public void update(byte[] bytes, int offset, int length) {
        total += length;
        if (!dos2unix) {
            md5.update(bytes, offset, length);
            return;
        }
        while (length > 0) {
            int n = Math.min(length, BLOCK - filled);
            System.arraycopy(bytes, offset, block, filled, n);
            filled += n;
            offset += n;
            length -= n;
            if (filled == BLOCK) {
                flushBlock();
            }
        }
    }

    /** Bytes fed so far (raw, before any normalisation). */
    public long size() {
        return total;
    }

    /** The md5 in lower-case hex; call once, after the last {@link #update}. */
    public String hex() {
        if (dos2unix && filled > 0) {
            flushBlock();
        }
        return HexFormat.of().formatHex(md5.digest());
    }

    private void flushBlock() {
        if (isText(block, Math.min(filled, TEXT_PROBE))) {
            int start = 0;
            for (int i = 0; i < filled - 1; i++) {
                if (block[i] == '\r' && block[i + 1] == '\n') {
                    md5.update(block, start, i - start);
                    start = i + 1;
                    i++;
                }
            }
            md5.update(block, start, filled - start);
        } else {
            md5.update(block, 0, filled);
        }
        filled = 0;
    }

    /** dvc-data's {@code istextblock}. */
    static boolean isText(byte[] bytes, int length) {
        if (length == 0) {
            return true;
        }
        int nonText = 0;
        for (int i = 0; i < length; i++) {
            int b = bytes[i] & 0xff;
            if (b == 0) {
                return false;
            }
            boolean text = b >= 32 && b < 127 || b == '\n' || b == '\r' || b == '\t' || b == '\f' || b == '\b';
            if (!text) {
                nonText++;
            }
        }
        return nonText / (double) length <= 0.30;
    }

    /** The md5 of {@code content}, for tests and small manifests. */
    public static String of(byte[] content, boolean dos2unix) {
        DvcMd5 md5 = new DvcMd5(dos2unix);
        md5.update(content, 0, content.length);
        return md5.hex();
    }
}
