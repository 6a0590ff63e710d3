package dev.switchboard.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Keys are stored (outbox rows, tags on the versions a sync created), so the function is pinned to fixed values: a
 * change here would make the hub redo every step and create every synced version again.
 */
class IdempotencyKeyTest {

    @Test
    void aKeyIsTheSha256OfItsPartsEachEndedByAZeroByte() {
        // printf 'a\0b\0' | sha256sum
        assertThat(IdempotencyKey.of("a", "b"))
                .isEqualTo("8fb20ef63ced4145fc2e983ffe597d1dcff39154c3bf21f0fa9dde6a0c50fdc9");
    }

    @Test
    void movingTheBoundaryBetweenPartsGivesAnotherKey() {
        assertThat(IdempotencyKey.of("ab", "c"))
                .isEqualTo("629c2f14f654f026086f2aefe1855533d0897f49df86a19073be17b237361b09")
                .isNotEqualTo(IdempotencyKey.of("a", "bc"));
    }

    @Test
    void aNullPartOrNoPartsIsRefusedNamingWhich() {
        assertThatThrownBy(() -> IdempotencyKey.of("a", null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("part 1 of an idempotency key is null");
        assertThatThrownBy(IdempotencyKey::of).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an idempotency key needs at least one part");
    }
}
