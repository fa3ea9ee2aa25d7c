package io.github.xent;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import org.junit.jupiter.api.Test;

/** The facade's call path allocates nothing: compute(Batch, LossResult) on reused objects. */
class AllocationTest {
    @Test
    void theNativeCallPathAllocatesNoBytes() {
        assertNoBytesPerCall(BackendKind.NATIVE, 32, 10);
    }

    /** Calls of at most NativeBackend.JAVA_MAX_ELEMENTS elements in a few positions go through the Java backend's code. */
    @Test
    void theSmallestNativeCallsAllocateNoBytes() {
        assertNoBytesPerCall(BackendKind.NATIVE, 2, 2);
        assertNoBytesPerCall(BackendKind.NATIVE, 1, 3);
    }

    @Test
    void theJavaBackendAllocatesNoBytesOnceWarm() {
        assertNoBytesPerCall(BackendKind.JAVA, 32, 10);
    }

    private static void assertNoBytesPerCall(BackendKind backend, int n, int c) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "this JVM cannot count allocated bytes");
        threads.setThreadAllocatedMemoryEnabled(true);

        FloatBuffer logits = CrossEntropyLoss.direct(new float[n * c]);
        FloatBuffer grad = CrossEntropyLoss.direct(new float[n * c]);
        IntBuffer targets = CrossEntropyLoss.direct(new int[n]);
        for (int i = 0; i < n * c; i++) logits.put(i, (float) Math.sin(i));
        for (int i = 0; i < n; i++) targets.put(i, i % c);
        CrossEntropyLoss loss = CrossEntropyLoss.builder().backend(backend).labelSmoothing(0.1).build();
        // A second loss over other buffers, called in turn (a train and an eval step, say): any
        // per-buffer caching that allocates on a miss shows up here.
        CrossEntropyLoss other = CrossEntropyLoss.builder().backend(backend).build();
        FloatBuffer logits2 = CrossEntropyLoss.direct(new float[n * c]), grad2 = CrossEntropyLoss.direct(new float[n * c]);
        IntBuffer targets2 = CrossEntropyLoss.direct(new int[n]);
        Batch batch = new Batch(), batch2 = new Batch();
        LossResult result = new LossResult();
        long[] shape = {n, c};

        for (int i = 0; i < 20_000; i++) {  // warm up: JIT, thread-locals, the native library
            loss.compute(batch.shape(shape).input(logits).target(targets).gradInput(grad), result);
            other.compute(batch2.shape(shape).input(logits2).target(targets2).gradInput(grad2), result);
        }
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        int calls = 100_000;
        for (int i = 0; i < calls; i += 2) {
            loss.compute(batch.shape(shape).input(logits).target(targets).gradInput(grad), result);
            other.compute(batch2.shape(shape).input(logits2).target(targets2).gradInput(grad2), result);
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertTrue(Double.isFinite(result.loss()));
        // One object per call would be at least 16 bytes a call. What can remain is one-off (a JIT
        // recompilation, the MXBean's own bookkeeping), so the bound is under 1 byte a call.
        assertTrue(allocated < calls, backend + " " + n + "x" + c + ": bytes allocated by " + calls + " calls: " + allocated
                + " (" + (double) allocated / calls + " per call)");
    }
}
