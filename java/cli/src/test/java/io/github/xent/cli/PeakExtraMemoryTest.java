package io.github.xent.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The demo's memory measure sees a call's allocation even when earlier garbage is freed during it. */
class PeakExtraMemoryTest {
    @Test
    @EnabledOnOs(OS.LINUX)
    void aCallsAllocationIsNotHiddenByEarlierGarbage() {
        for (int i = 0; i < 4; i++) ByteBuffer.allocateDirect(64 << 20).put(0, (byte) 1).put((64 << 20) - 1, (byte) 1);
        byte[][] garbage = new byte[8][];
        for (int i = 0; i < garbage.length; i++) garbage[i] = new byte[16 << 20];
        garbage = null;
        double mb = LinearHeadComparison.peakExtraMb(() -> {
            // A collection during the call, as the demo's calls met one: it frees the earlier
            // buffers, unless the measure freed them before it started.
            System.gc();
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            ByteBuffer b = ByteBuffer.allocateDirect(64 << 20);
            for (int i = 0; i < b.capacity(); i += 4096) b.put(i, (byte) 1);
        });
        // (The collection in the call may also return a few MB of its own: half the buffer is the bar.)
        assertTrue(mb >= 32, "a 64 MB buffer touched in the call measured " + mb + " MB");
    }
}
