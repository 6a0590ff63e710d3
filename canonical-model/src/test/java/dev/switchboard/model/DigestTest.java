package dev.switchboard.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

class DigestTest {

    private static final String ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    @Test
    void sha256OfBytesIsTheStandardDigest() {
        assertThat(Digest.sha256Of("abc".getBytes(StandardCharsets.US_ASCII))).isEqualTo(Digest.sha256(ABC));
    }

    @Test
    void aStreamedHasherGivesTheSameDigestAndStartsOverAfterwards() {
        MessageDigest hasher = Digest.sha256Hasher();
        hasher.update((byte) 'a');
        hasher.update("bc".getBytes(StandardCharsets.US_ASCII));
        assertThat(Digest.sha256(hasher)).isEqualTo(Digest.sha256(ABC));
        hasher.update("abc".getBytes(StandardCharsets.US_ASCII));
        assertThat(Digest.sha256(hasher).value()).isEqualTo(ABC);
    }
}
