package io.github.xent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code xent loss} on .npy files that NumPy wrote (tools/golden/make_golden.py), against PyTorch's
 * loss and gradient; and its one-line errors for malformed files.
 */
class LossCommandTest {
    @TempDir
    Path temp;

    static Path fixtures() throws URISyntaxException {
        return Path.of(LossCommandTest.class.getResource("/npy").toURI());
    }

    @TestFactory
    Stream<DynamicTest> reproducesPyTorchOnNumPyFiles() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> folders = Files.list(fixtures())) {
            for (Path folder : folders.sorted().toList()) {
                for (String backend : new String[] {"native", "java"}) {
                    tests.add(DynamicTest.dynamicTest(folder.getFileName() + " [" + backend + "]", () -> check(folder, backend)));
                }
            }
        }
        return tests.stream();
    }

    void check(Path folder, String backend) throws IOException {
        List<String> args = new ArrayList<>(List.of("loss"));
        for (String word : Files.readString(folder.resolve("args.txt")).trim().split("\\s+")) {
            args.add(word.endsWith(".npy") ? folder.resolve(word).toString() : word);
        }
        Path loss = temp.resolve(folder.getFileName() + "-" + backend + "-loss.npy");
        Path grad = temp.resolve(folder.getFileName() + "-" + backend + "-grad.npy");
        args.addAll(List.of("--loss-out", loss.toString(), "--grad-out", grad.toString(), "--backend", backend));
        Object[] r = DemoCommandTest.run(args.toArray(String[]::new));
        assertEquals(0, r[0], r[1] + " " + r[2]);
        String json = (String) r[1];
        assertTrue(json.startsWith("{\"loss\": "), json);
        // The metrics of the JSON line against PyTorch's own counts.
        String metrics = Files.readString(folder.resolve("expected_metrics.json"));
        long count = Long.parseLong(field(metrics, "count")), correct = Long.parseLong(field(metrics, "correct"));
        assertEquals(count, Long.parseLong(field(json, "count")), "count");
        assertEquals(Double.parseDouble(field(metrics, "weight_sum")), Double.parseDouble(field(json, "weight_sum")),
                1e-6 * Double.parseDouble(field(metrics, "weight_sum")), "weight_sum");
        assertEquals((double) correct / count, Double.parseDouble(field(json, "accuracy")), 1e-12, "accuracy");
        double zLoss = Double.parseDouble(field(metrics, "z_loss"));
        assertEquals(zLoss, Double.parseDouble(field(json, "z_loss")), 2e-5 * Math.abs(zLoss), "z_loss");

        boolean float32 = Npy.read(folder.resolve("input.npy"), "--input").dtype == io.github.xent.DType.FLOAT32;
        double tol = float32 ? 2e-5 : 1e-10;
        compare("loss", Npy.read(folder.resolve("expected_loss.npy"), "expected"), Npy.read(loss, "loss"), tol);
        compare("grad", Npy.read(folder.resolve("expected_grad.npy"), "expected"), Npy.read(grad, "grad"), tol);
    }

    /** A field of a one-line JSON object, as text. */
    static String field(String json, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + name + "\": \"?([^,}\"]+)").matcher(json);
        assertTrue(m.find(), name + " in " + json);
        return m.group(1).trim();
    }

    static void compare(String what, Npy.Array expected, Npy.Array actual, double tol) {
        assertTrue(Arrays.equals(expected.shape, actual.shape),
                what + ": shape " + actual.shapeText() + ", expected " + expected.shapeText());
        double scale = 1e-30;
        for (long i = 0; i < expected.count(); i++) if (Double.isFinite(expected.get(i))) scale = Math.max(scale, Math.abs(expected.get(i)));
        for (long i = 0; i < expected.count(); i++) {
            double e = expected.get(i), a = actual.get(i);
            boolean ok = Double.isNaN(e) ? Double.isNaN(a) : Math.abs(a - e) <= tol * Math.max(Math.abs(e), scale);
            if (!ok) fail(what + "[" + i + "]: expected " + e + ", got " + a);
        }
    }

    // Malformed files: one line on stderr naming the option and the file, exit code 2.

    Path npy(String name, String descr, String shape, boolean fortran, int dataBytes) throws IOException {
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': (" + shape + "), }";
        String header = dict + " ".repeat(63 - (10 + dict.length()) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1));
        Path file = temp.resolve(name);
        Files.write(file, b.array());
        return file;
    }

    void expectUserError(String expected, String... args) {
        String[] full = new String[args.length + 1];
        full[0] = "loss";
        System.arraycopy(args, 0, full, 1, args.length);
        Object[] r = DemoCommandTest.run(full);
        String err = (String) r[2];
        assertEquals(2, r[0], "exit code; stderr: " + err);
        assertEquals(1, err.strip().lines().count(), "one line: " + err);
        assertTrue(err.startsWith("xent: ") && err.contains(expected), "'" + err.strip() + "' should say '" + expected + "'");
    }

    @Test
    void malformedFilesAreNamedInOneLine() throws IOException {
        Path good = npy("x.npy", "<f4", "2, 3", false, 24);
        Path labels = npy("y.npy", "<i8", "2,", false, 16);
        Path truncated = npy("truncated.npy", "<f4", "2, 3", false, 20);
        Path half = npy("half.npy", "<f2", "2, 3", false, 12);
        Path bytes = npy("bytes.npy", "|i1", "2, 3", false, 6);
        Path fortran = npy("fortran.npy", "<f4", "2, 3", true, 24);
        Path wrongShape = npy("wrong.npy", "<i8", "3,", false, 24);
        Path floatLabels = npy("floaty.npy", "<f4", "2,", false, 8);
        Path notNpy = temp.resolve("not.npy");
        Files.writeString(notNpy, "hello, world");

        expectUserError("--input " + truncated + ": truncated", "--input", truncated.toString(), "--target", labels.toString());
        expectUserError("dtype <f2 is not supported", "--input", half.toString(), "--target", labels.toString());
        expectUserError("dtype |i1 is not supported", "--input", bytes.toString(), "--target", labels.toString());
        expectUserError("Fortran-order", "--input", fortran.toString(), "--target", labels.toString());
        expectUserError("--target " + wrongShape + ": shape (3,), expected (2,)", "--input", good.toString(), "--target", wrongShape.toString());
        expectUserError("index targets must be int32 or int64", "--input", good.toString(), "--target", floatLabels.toString());
        expectUserError("not a .npy file", "--input", notNpy.toString(), "--target", labels.toString());
        expectUserError("--input: no such file", "--input", temp.resolve("missing.npy").toString(), "--target", labels.toString());
        expectUserError("--reduction: 'average' is not one of none, sum, mean", "--input", good.toString(), "--target",
                labels.toString(), "--reduction", "average");
        expectUserError("labelSmoothing: must be in [0, 1]", "--input", good.toString(), "--target", labels.toString(),
                "--label-smoothing", "2");
        expectUserError("zLoss: must be finite and >= 0", "--input", good.toString(), "--target", labels.toString(),
                "--z-loss", "-1");
        expectUserError("softcap: must be 0 (off) or finite and >= 1.1754943508222875E-38", "--input", good.toString(), "--target", labels.toString(),
                "--softcap", "NaN");
        expectUserError("softcap: applies to LOGITS input", "--input", good.toString(), "--target", labels.toString(),
                "--softcap", "30", "--input-kind", "probabilities");
        expectUserError("zLoss: applies to LOGITS input", "--input", good.toString(), "--target", good.toString(),
                "--z-loss", "1e-4", "--target-kind", "binary");
    }

    @Test
    void aTargetOutOfRangeNamesItsPositionAndValue() throws IOException {
        Path x = npy("x.npy", "<f4", "2, 3", false, 24);
        Path y = temp.resolve("y.npy");
        Files.write(y, Files.readAllBytes(npy("y0.npy", "<i8", "2,", false, 16)));
        ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(y)).order(ByteOrder.LITTLE_ENDIAN);
        data.putLong(data.capacity() - 8, 7);  // the second target: class 7 of 3
        Files.write(y, data.array());
        expectUserError("--target " + y + ": value 7 at position 1", "--input", x.toString(), "--target", y.toString());
    }

    @Test
    void bigEndianFilesAreRead() throws IOException {
        Path x = npy("x.npy", ">f4", "1, 2", false, 8);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(x));
        b.order(ByteOrder.BIG_ENDIAN).putFloat(b.capacity() - 8, 2f).putFloat(b.capacity() - 4, 0f);
        Files.write(x, b.array());
        Path y = npy("y.npy", "<i4", "1,", false, 4);
        Object[] r = DemoCommandTest.run("loss", "--input", x.toString(), "--target", y.toString());
        assertEquals(0, r[0], (String) r[2]);
        // log(1 + e^-2): class 0 has logit 2, class 1 has 0.
        assertTrue(((String) r[1]).startsWith("{\"loss\": 0.1269280"), (String) r[1]);
    }
}
