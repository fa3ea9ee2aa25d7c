package io.github.xent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {
    /** Runs the tool with stdout and stderr captured; returns {exit code, stdout, stderr}. */
    static Object[] run(String... args) {
        PrintStream out = System.out, err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Object[] {code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void trainsTheDigitsAboveNinetyPercentAndTimesBothBackends() {
        Object[] r = run("demo", "--epochs", "8", "--bench-shape", "64x3000", "--head-shape", "64x16x3000", "--bench-repeats", "1");
        String out = (String) r[1];
        assertEquals(0, r[0], out + r[2]);
        Matcher m = Pattern.compile("held-out: loss \\S+  accuracy (\\S+)").matcher(out);
        assertTrue(m.find(), out);
        assertTrue(Double.parseDouble(m.group(1)) >= 0.9, out);
        assertTrue(out.contains("speed-up: native is"), out);
        Matcher head = Pattern.compile("head: losses (\\S+) and (\\S+) agree").matcher(out);
        assertTrue(head.find(), out);
        assertEquals(Double.parseDouble(head.group(1)), Double.parseDouble(head.group(2)), 1e-5, out);
    }

    @Test
    void trainsOnAUsersCsv(@TempDir Path dir) throws Exception {
        // Two separable blobs: label 1 when x0 + x1 > 0.
        StringBuilder csv = new StringBuilder("x0,x1,label\n");
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        for (int i = 0; i < 200; i++) {
            double a = random.nextDouble(-1, 1), b = random.nextDouble(-1, 1);
            csv.append(a).append(',').append(b).append(',').append(a + b > 0 ? 1 : 0).append('\n');
        }
        Path file = dir.resolve("blobs.csv");
        Files.writeString(file, csv);
        Object[] r = run("demo", "--data", file.toString(), "--epochs", "20", "--no-bench");
        assertEquals(0, r[0], (String) r[2]);
        assertTrue(((String) r[1]).contains("2 features, 2 classes"), (String) r[1]);
    }

    @Test
    void userMistakesGiveOneLineAndExitCode2(@TempDir Path dir) throws Exception {
        Object[] missing = run("demo", "--data", dir.resolve("nope.csv").toString(), "--no-bench");
        assertEquals(2, missing[0]);
        assertTrue(((String) missing[2]).startsWith("xent: --data: no such file"), (String) missing[2]);

        Path ragged = dir.resolve("ragged.csv");
        Files.writeString(ragged, "1,2,0\n3,1\n");
        Object[] bad = run("demo", "--data", ragged.toString(), "--no-bench");
        assertEquals(2, bad[0]);
        assertEquals(1, ((String) bad[2]).strip().lines().count(), (String) bad[2]);
        assertTrue(((String) bad[2]).contains(":2: 2 columns, expected 3"), (String) bad[2]);

        Object[] epochs = run("demo", "--epochs", "0");
        assertEquals(2, epochs[0]);
    }

    @Test
    void versionNamesTheNativeLibrary() {
        Object[] r = run("--version");
        assertEquals(0, r[0]);
        assertTrue(((String) r[1]).startsWith("xent "), (String) r[1]);
    }
}
