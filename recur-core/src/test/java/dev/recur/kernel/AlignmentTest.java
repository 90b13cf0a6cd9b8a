package dev.recur.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AlignmentTest {
    @Test
    void skipsToTheNextLineOnlyWhenObjectsStartOnOne() {
        assertThat(Alignment.skip("8", "false", "true")).isZero();
        assertThat(Alignment.skip("32", null, null)).isZero();
        assertThat(Alignment.skip(null, null, null)).isZero();
        // 16 bytes of header: 48 bytes, 12 floats, to the next line; 12 with compact headers, 20 without compressed classes.
        assertThat(Alignment.skip("64", "false", "true")).isEqualTo(12);
        assertThat(Alignment.skip("64", null, "true")).isEqualTo(12);
        assertThat(Alignment.skip("128", "false", "true")).isEqualTo(12);
        assertThat(Alignment.skip("64", "true", "true")).isEqualTo(13);
        assertThat(Alignment.skip("64", "false", "false")).isEqualTo(11);
    }

    @Test
    void theRunningJvmsSkipPutsPackedPanelsInsideTheirArray() {
        assertThat(Alignment.SKIP).isBetween(0, 15);
        var packed = PackedMatrix.of(Mat.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3), 32);
        assertThat(packed.start()).isEqualTo(Alignment.SKIP);
        assertThat(packed.get(1, 2)).isEqualTo(6f);
        assertThat(packed.get(0, 1)).isEqualTo(2f);
    }
}
