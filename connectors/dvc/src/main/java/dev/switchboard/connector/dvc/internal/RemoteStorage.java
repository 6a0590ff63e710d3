package dev.switchboard.connector.dvc.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Where a DVC remote keeps its objects, addressed by object key ({@code files/md5/ab/cdef…}). Implementations stream;
 * none holds an object in memory. A missing object is {@link java.nio.file.NoSuchFileException} from {@link #open}
 * and an empty size from {@link #size}.
 */
public interface RemoteStorage extends AutoCloseable {

    /** The remote's URL, for messages; never carries a credential. */
    String describe();

    /** The object's size, or empty when the remote has no such object. */
    OptionalLong size(String key) throws IOException;

    /** The object's bytes; the caller closes the stream. */
    InputStream open(String key) throws IOException;

    /** Stores {@code file} as the object {@code key} (visible once complete). */
    void put(String key, Path file, long size) throws IOException;

    @Override
    default void close() {
    }
}
