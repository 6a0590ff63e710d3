package dev.switchboard.connector.dvc;

import java.util.regex.Pattern;

/**
 * One output DVC tracks, as a {@code .dvc} file or a {@code dvc.lock} stage records it at one commit.
 *
 * @param source   the repository path of the file that records it ({@code data/train.dvc}, {@code dvc.lock})
 * @param path     the output's repository path (POSIX separators), resolved against the recording file's directory
 * @param md5      DVC's hash as written: 32 lower-case hex digits, with {@code .dir} for a directory
 * @param hashName {@link HashName#MD5} for DVC 3 ({@code hash: md5}), else the legacy {@code md5-dos2unix}
 * @param size     bytes (a directory's total), or {@code null} when the file does not say
 * @param nfiles   a directory's file count, or {@code null}
 * @param remote   the output's own remote ({@code remote:} key), or {@code null} for the default
 */
public record DvcOutput(String source, String path, String md5, HashName hashName, Long size, Integer nfiles,
                        String remote) {

    private static final Pattern MD5 = Pattern.compile("[0-9a-f]{32}(\\.dir)?");

    /** How DVC computed an output's md5, which decides where its object lives and how to verify it. */
    public enum HashName {
        /** DVC 3: md5 of the raw bytes; objects under {@code files/md5/}. */
        MD5,
        /** DVC 2.x: md5 after CRLF→LF in blocks that look like text; objects at the remote's root. */
        MD5_DOS2UNIX
    }

    public DvcOutput {
        if (md5 == null || !MD5.matcher(md5).matches()) {
            throw new IllegalArgumentException("md5 of output " + path + " in " + source
                    + " must be 32 lower-case hex digits (with .dir for a directory), but was \"" + md5 + "\"");
        }
        if (size != null && size < 0) {
            throw new IllegalArgumentException("size of output " + path + " in " + source + " must not be negative");
        }
    }

    public boolean directory() {
        return md5.endsWith(".dir");
    }

    /** The object key below the remote's URL: {@code files/md5/ab/cdef…} for DVC 3, {@code ab/cdef…} for 2.x. */
    public String objectKey() {
        return objectKey(md5, hashName);
    }

    static String objectKey(String md5, HashName hashName) {
        String key = md5.substring(0, 2) + "/" + md5.substring(2);
        return hashName == HashName.MD5 ? "files/md5/" + key : key;
    }

    /** Whether this output records the same content as {@code other} (its md5 and hash flavour). */
    boolean sameContent(DvcOutput other) {
        return other != null && md5.equals(other.md5) && hashName == other.hashName;
    }
}
