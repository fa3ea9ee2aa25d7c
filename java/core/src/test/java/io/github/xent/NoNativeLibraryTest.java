package io.github.xent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Without any native library (no platform jar: the pure-Java backend, and no JavaCPP to ask for
 * addresses), two views of one buffer are still seen to overlap and a misaligned view is still
 * refused: a JVM started here without the natives on its class path runs {@link #main}.
 */
class NoNativeLibraryTest {
    @Test
    void overlapsAndMisalignmentAreRefusedWithoutTheNativeLibrary() throws Exception {
        String classPath = List.of(System.getProperty("java.class.path").split(File.pathSeparator)).stream()
                .filter(entry -> !entry.matches(".*-(linux|windows|macosx)-[a-z0-9_]+\\.jar"))
                .collect(Collectors.joining(File.pathSeparator));
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-Dorg.bytedeco.javacpp.cachedir=" + System.getProperty("java.io.tmpdir") + "/xent-no-natives",
                "-cp", classPath, NoNativeLibraryTest.class.getName()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the JVM without natives did not finish");
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("no natives: 4 refused"), output);
    }

    static FloatBuffer floats(ByteBuffer bytes) {
        return bytes.order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** Run in a JVM without the natives: each call must be refused naming the argument. */
    public static void main(String[] args) {
        if (NativeLibrary.available()) throw new AssertionError("the native library loaded; the class path still has it");
        int n = 64, c = 100;
        LongBuffer target = CrossEntropyLoss.direct(new long[n]);
        ByteBuffer big = ByteBuffer.allocateDirect(4 * (n * c + c)).order(ByteOrder.nativeOrder());
        FloatBuffer all = floats(big);
        ByteBuffer tiny = ByteBuffer.allocateDirect(32).order(ByteOrder.nativeOrder());
        ByteBuffer odd = ByteBuffer.allocateDirect(4 * n * c + 1);
        CrossEntropyLoss java = CrossEntropyLoss.builder().backend(BackendKind.JAVA).build();
        CrossEntropyLoss none = CrossEntropyLoss.builder().reduction(Reduction.NONE).build();
        Object[][] calls = {
            {"gradInput: overlaps input", (Runnable) () -> java.compute(new Batch().shape(n, c).input(all.slice(0, n * c))
                    .target(target).gradInput(all.slice(c, n * c)))},
            {"gradInput: overlaps input", (Runnable) () -> java.compute(new Batch().shape(n, c)
                    .input(big.slice(0, 4 * n * c).order(ByteOrder.nativeOrder()), DType.FLOAT32).target(target).gradInput(floats(big.slice(4 * c, 4 * n * c))))},
            {"lossOut: overlaps input", (Runnable) () -> none.compute(new Batch().shape(2, 4).input(floats(tiny))
                    .target(CrossEntropyLoss.direct(new long[2])).lossOut(floats(tiny.slice(4, 8))))},
            {"input: address", (Runnable) () -> java.compute(new Batch().shape(n, c)
                    .input(floats(odd.position(1).slice())).target(target))},
        };
        int refused = 0;
        for (Object[] call : calls) {
            try {
                ((Runnable) call[1]).run();
                System.out.println("accepted, should be refused: " + call[0]);
            } catch (IllegalArgumentException e) {
                if (!e.getMessage().startsWith((String) call[0])) throw new AssertionError("message: " + e.getMessage());
                refused++;
            }
        }
        System.out.println("no natives: " + refused + " refused");
        System.exit(refused == calls.length ? 0 : 1);
    }
}
