package io.github.xent.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tool never destroys data and never prints a stack trace: an output that is an input or
 * another output is refused before anything is written; outputs are written all or none; every
 * malformed file and bad value gives one line naming the option, the path and the reason, and exit
 * code 2; help fits 80 columns.
 */
class CommandSafetyTest {
    @TempDir
    Path temp;
    Path input, target;
    static final byte[] OLD = "old contents".getBytes(StandardCharsets.UTF_8);

    @BeforeEach
    void files() throws IOException {
        input = npy("x.npy", 1, "<f4", "2, 3", 24);
        target = npy("y.npy", 1, "<i8", "2,", 16);
    }

    /** A .npy file: version, descr and shape as given, `dataBytes` of zeros after the header. */
    Path npy(String name, int version, String descr, String shape, long dataBytes) throws IOException {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + shape + "), }";
        int prefix = version == 1 ? 10 : 12;
        String header = dict + " ".repeat(63 - (prefix + dict.length()) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate((int) (prefix + header.length() + dataBytes)).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
        if (version == 1) b.putShort((short) header.length());
        else b.putInt(header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1));
        Path file = temp.resolve(name);
        Files.write(file, b.array());
        return file;
    }

    static String[] loss(Object... args) {
        String[] full = new String[args.length + 1];
        full[0] = "loss";
        for (int i = 0; i < args.length; i++) full[i + 1] = args[i].toString();
        return full;
    }

    /** Exit code 2 and one line on stderr that contains every one of `expected`. */
    static void expectOneLine(String[] args, String... expected) {
        Object[] r = DemoCommandTest.run(args);
        String err = (String) r[2];
        assertEquals(2, r[0], "exit code; stderr: " + err);
        assertEquals(1, err.strip().lines().count(), "one line: " + err);
        assertTrue(err.startsWith("xent: "), err);
        assertFalse(err.contains("\tat "), "a stack trace: " + err);
        for (String e : expected) assertTrue(err.contains(e), "'" + err.strip() + "' should say '" + e + "'");
    }

    // An output that is an input or another output.

    @Test
    void theSamePathTwiceIsRefusedBeforeAnythingIsWritten() throws IOException {
        Path out = temp.resolve("out.npy");
        Files.write(out, OLD);
        expectOneLine(loss("--input", input, "--target", target, "--loss-out", out, "--grad-out", out),
                "--grad-out " + out, "is the file of --loss-out");
        assertArrayEquals(OLD, Files.readAllBytes(out));
        assertEquals(List.of("out.npy", "x.npy", "y.npy"), leftIn(temp), "no temporary file left");
    }

    @Test
    void theSameNewPathTwiceThroughAnotherSpellingIsRefused() {
        Path a = temp.resolve("new.npy"), b = temp.resolve("sub/../new.npy");
        try {
            Files.createDirectory(temp.resolve("sub"));
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
        expectOneLine(loss("--input", input, "--target", target, "--loss-out", a, "--grad-out", b), "is the file of --loss-out");
        assertFalse(Files.exists(a));
    }

    @Test
    void anOutputOverAnInputIsRefused() throws IOException {
        byte[] before = Files.readAllBytes(input);
        expectOneLine(loss("--input", input, "--target", target, "--grad-out", input), "--grad-out " + input,
                "is the file of --input", "may not overwrite an input");
        assertArrayEquals(before, Files.readAllBytes(input));
    }

    @Test
    void anOutputThroughALinkToAnInputIsRefused() throws IOException {
        Path link = Files.createSymbolicLink(temp.resolve("link.npy"), target);
        Path hard = Files.createLink(temp.resolve("hard.npy"), input);
        byte[] before = Files.readAllBytes(target);
        expectOneLine(loss("--input", input, "--target", target, "--loss-out", link), "is the file of --target");
        expectOneLine(loss("--input", input, "--target", target, "--grad-out", hard), "is the file of --input");
        assertArrayEquals(before, Files.readAllBytes(target));
        assertTrue(Files.isSymbolicLink(link));
    }

    // All or none.

    @Test
    void aFailedCallLeavesNoFileAndOldContentsIntact() throws IOException {
        Path bad = npy("bad.npy", 1, "<i8", "2,", 16);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(bad)).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(b.capacity() - 8, 9);  // class 9 of 3
        Files.write(bad, b.array());
        Path loss = temp.resolve("loss.npy"), grad = temp.resolve("grad.npy");
        Files.write(grad, OLD);
        expectOneLine(loss("--input", input, "--target", bad, "--reduction", "none", "--loss-out", loss, "--grad-out", grad),
                "--target " + bad + ": value 9 at position 1");
        assertFalse(Files.exists(loss));
        assertArrayEquals(OLD, Files.readAllBytes(grad));
        assertEquals(List.of("bad.npy", "grad.npy", "x.npy", "y.npy"), leftIn(temp), "no temporary file left");
    }

    @Test
    void noPartialFileAfterAFailedSecondWrite() throws IOException {
        Path first = temp.resolve("first.npy");
        Files.write(first, OLD);
        Path folder = Files.createDirectory(temp.resolve("second"));
        Path second = folder.resolve("second.npy");
        try (OutputFiles outputs = new OutputFiles()) {
            outputs.plan("--loss-out", first);
            outputs.plan("--grad-out", second);
            outputs.write("--loss-out", new long[] {2}, new double[] {1, 2});
            // The second output's folder goes away (a full or failing disk, for the test's purposes).
            try (Stream<Path> files = Files.list(folder)) {
                for (Path f : files.toList()) Files.delete(f);
            }
            Files.delete(folder);
            Main.UserException e = assertThrows(Main.UserException.class,
                    () -> outputs.write("--grad-out", new long[] {2}, new double[] {3, 4}));
            assertTrue(e.getMessage().startsWith("--grad-out " + second + ": cannot write"), e.getMessage());
        }
        assertArrayEquals(OLD, Files.readAllBytes(first), "the first output kept its old contents");
        assertEquals(List.of("first.npy", "x.npy", "y.npy"), leftIn(temp), "no temporary file left");
    }

    @Test
    void outputsAreWrittenWhenEveryOneSucceeds() throws IOException {
        Path loss = temp.resolve("loss.npy"), grad = temp.resolve("grad.npy");
        Files.write(grad, OLD);
        Object[] r = DemoCommandTest.run(loss("--input", input, "--target", target, "--loss-out", loss, "--grad-out", grad));
        assertEquals(0, r[0], (String) r[2]);
        assertEquals(6, Npy.read(grad, "grad").count());
        assertEquals(0, Npy.read(loss, "loss").shape.length);
        assertEquals(List.of("grad.npy", "loss.npy", "x.npy", "y.npy"), leftIn(temp));
    }

    // Paths and reasons.

    @Test
    void pathsThatCannotBeUsedAreNamedWithTheReason() throws IOException {
        Path folder = Files.createDirectory(temp.resolve("folder"));
        Path file = temp.resolve("x.npy");
        expectOneLine(loss("--input", folder, "--target", target), "--input " + folder, "is a directory");
        expectOneLine(loss("--input", "/dev/zero", "--target", target), "--input /dev/zero", "not a regular file");
        expectOneLine(loss("--input", input, "--target", target, "--grad-out", folder), "--grad-out " + folder, "is a directory");
        expectOneLine(loss("--input", input, "--target", target, "--grad-out", temp.resolve("none/g.npy")),
                "--grad-out " + temp.resolve("none/g.npy"), "does not exist");
        expectOneLine(loss("--input", input, "--target", target, "--grad-out", file.resolve("g.npy")), "does not exist");
        expectOneLine(loss("--input", temp.resolve("missing.npy"), "--target", target), "--input: no such file");
    }

    // An output that exists must be a regular file (or a link to one): nothing else is replaced.

    /** A FIFO, a socket and (as root) a device node, made in the test's own folder. */
    List<Path> specialFiles() throws Exception {
        List<Path> made = new java.util.ArrayList<>();
        Path fifo = temp.resolve("fifo.npy");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor(), "mkfifo");
        made.add(fifo);
        Path socket = temp.resolve("socket.npy");
        try (java.nio.channels.ServerSocketChannel s = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            s.bind(java.net.UnixDomainSocketAddress.of(socket));
        }
        made.add(socket);
        if ("root".equals(System.getProperty("user.name"))) {
            Path device = temp.resolve("null.npy");  // a second /dev/null: character device 1, 3
            assertEquals(0, new ProcessBuilder("mknod", device.toString(), "c", "1", "3").start().waitFor(), "mknod");
            made.add(device);
        }
        return made;
    }

    @Test
    void anOutputThatIsAFifoASocketOrADeviceIsRefusedAndKept() throws Exception {
        Path loss = temp.resolve("loss.npy");
        for (Path special : specialFiles()) {
            String kind = Files.readAttributes(special, "unix:mode").toString();
            Path link = temp.resolve("link-to-" + special.getFileName());
            Files.createSymbolicLink(link, special);
            for (Path out : List.of(special, link)) {
                expectOneLine(loss("--input", input, "--target", target, "--loss-out", loss, "--grad-out", out),
                        "--grad-out " + out, "not a regular file");
                assertFalse(Files.isRegularFile(special), special + " was replaced by a regular file");
                assertEquals(kind, Files.readAttributes(special, "unix:mode").toString(), special + "'s kind");
                assertFalse(Files.exists(loss), "nothing written: " + loss);
            }
        }
        assertEquals(List.of("x.npy", "y.npy"), leftIn(temp), "no temporary file left");
    }

    @Test
    void linearLossRefusesAFifoOutputToo() throws Exception {
        Path fixtures = Path.of(CommandSafetyTest.class.getResource("/npy_linear/linear_mean_bias").toURI());
        Path fifo = specialFiles().get(0);
        expectOneLine(new String[] {"linear-loss", "--input", fixtures.resolve("hidden.npy").toString(),
                "--linear-weight", fixtures.resolve("linear_weight.npy").toString(),
                "--target", fixtures.resolve("target.npy").toString(), "--grad-out", fifo.toString()},
                "--grad-out " + fifo, "not a regular file");
        assertFalse(Files.isRegularFile(fifo));
    }

    @Test
    void aFifoPutInPlaceDuringTheCallIsNotReplaced() throws Exception {
        Path out = temp.resolve("late.npy");
        try (OutputFiles outputs = new OutputFiles()) {
            outputs.plan("--grad-out", out);
            outputs.write("--grad-out", new long[] {1}, new double[] {1});
            assertEquals(0, new ProcessBuilder("mkfifo", out.toString()).start().waitFor());
            Main.UserException e = assertThrows(Main.UserException.class, outputs::commit);
            assertTrue(e.getMessage().contains("not a regular file"), e.getMessage());
        }
        assertFalse(Files.isRegularFile(out));
        assertEquals(List.of("x.npy", "y.npy"), leftIn(temp), "no temporary file left");
    }

    // Library errors name the option and the file that filled the argument.

    /** A float32 or float64 .npy of the given values, shape as text. */
    Path values(String name, String descr, String shape, double... v) throws IOException {
        boolean f64 = descr.equals("<f8");
        Path file = npy(name, 1, descr, shape, (long) v.length * (f64 ? 8 : 4));
        byte[] all = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int at = all.length - v.length * (f64 ? 8 : 4);
        for (double x : v) {
            if (f64) b.putDouble(at, x);
            else b.putFloat(at, (float) x);
            at += f64 ? 8 : 4;
        }
        Files.write(file, all);
        return file;
    }

    @Test
    void aBadWeightFileIsNamedWithItsOption() throws IOException {
        Path weights = values("w.npy", "<f4", "3,", 1, -2, 1);
        expectOneLine(loss("--input", input, "--target", target, "--weight", weights), "--weight " + weights + ": weight of class 1");
        Path samples = values("s.npy", "<f4", "2,", 1, Double.NaN);
        expectOneLine(loss("--input", input, "--target", target, "--sample-weight", samples),
                "--sample-weight " + samples + ": weight at position 1");
        Path four = values("w4.npy", "<f4", "4,", 1, 1, 1, 1);
        expectOneLine(loss("--input", input, "--target", target, "--weight", four), "--weight " + four + ": has 4 weights");
    }

    String[] linear(Object... args) {
        String[] full = new String[args.length + 1];
        full[0] = "linear-loss";
        for (int i = 0; i < args.length; i++) full[i + 1] = args[i].toString();
        return full;
    }

    @Test
    void linearLossNamesTheFileOfAnEmptyInputOrWeight() throws IOException {
        Path h = values("h.npy", "<f4", "2, 3", 1, 2, 3, 4, 5, 6);
        Path w = values("lw.npy", "<f4", "4, 3", new double[12]);
        Path noClasses = npy("w0.npy", 1, "<f4", "0, 3", 0);
        expectOneLine(linear("--input", h, "--linear-weight", noClasses, "--target", target),
                "--linear-weight " + noClasses + ": shape (0, 3) has no classes");
        Path empty = npy("h0.npy", 1, "<f4", "0, 3", 0);
        expectOneLine(linear("--input", empty, "--linear-weight", w, "--target", npy("y0.npy", 1, "<i8", "0,", 0)),
                "--input " + empty + ": shape (0, 3) has no elements");
        Path cw = values("cw.npy", "<f4", "4,", 1, 1, -1, 1);
        expectOneLine(linear("--input", h, "--linear-weight", w, "--target", target, "--weight", cw),
                "--weight " + cw + ": weight of class 2");
    }

    /** 2^28 float32 weights as float64 are 2^31 bytes: one line naming the file, not "capacity < 0". */
    @Test
    void aWeightTooLargeToConvertIsNamed() throws IOException {
        Path h = values("h64.npy", "<f8", "1, 2", 1, 2);
        Path big = npy("big.npy", 1, "<f4", "134217728, 2", 0);
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(f.length() + 4L * (1 << 28));  // sparse: no disk used
        }
        expectOneLine(linear("--input", h, "--linear-weight", big, "--target", npy("y1.npy", 1, "<i8", "1,", 8)),
                "--linear-weight " + big + ": 268435456 elements, as FLOAT64, take 2147483648 bytes");
    }

    // Malformed headers: checked against the file's size before anything is allocated.

    @Test
    void aHeaderLengthOfTwoToThe31IsRefused() throws IOException {
        Path file = temp.resolve("huge-header.npy");
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(Integer.MAX_VALUE);
        Files.write(file, b.array());
        expectOneLine(loss("--input", file, "--target", target), "--input " + file, "truncated header", "2147483647");
        b.putInt(8, -1);  // 2^32 - 1 as unsigned
        Files.write(file, b.array());
        expectOneLine(loss("--input", file, "--target", target), "truncated header", "4294967295");
    }

    @Test
    void aShapeWhoseElementCountOverflowsIsRefused() throws IOException {
        Path file = npy("overflow.npy", 1, "<f4", "4294967296, 4294967296, 4294967296", 24);
        expectOneLine(loss("--input", file, "--target", target), "--input " + file, "more elements than fit");
        Path big = npy("big.npy", 3, "<f8", "9223372036854775807,", 24);
        expectOneLine(loss("--input", big, "--target", target), "--input " + big, "more elements than fit");
    }

    @Test
    void aShapeClaimingMoreDataThanTheFileHoldsIsRefused() throws IOException {
        Path file = npy("claims.npy", 1, "<f4", "100000, 100000", 24);
        expectOneLine(loss("--input", file, "--target", target), "truncated", "40000000000 bytes", "the file has 24");
    }

    @Test
    void negativeDimensionsAreRefused() throws IOException {
        Path file = npy("negative.npy", 1, "<f4", "-2, 3", 24);
        expectOneLine(loss("--input", file, "--target", target), "--input " + file, "negative dimension");
        Path labels = npy("negative-labels.npy", 1, "<i8", "-2,", 16);
        expectOneLine(loss("--input", input, "--target", labels), "--target " + labels, "negative dimension");
    }

    @Test
    void aBadInputShapeIsBlamedOnTheInput() throws IOException {
        Path empty = npy("empty.npy", 1, "<f4", "0, 3", 0);
        expectOneLine(loss("--input", empty, "--target", npy("y0.npy", 1, "<i8", "0,", 0)), "--input " + empty, "no elements");
        Path nine = npy("nine.npy", 1, "<f4", "1, 1, 1, 1, 1, 1, 1, 1, 2", 8);
        expectOneLine(loss("--input", nine, "--target", target), "--input " + nine, "9 dimensions");
    }

    // Values and options.

    @Test
    void badValuesGiveOneLineNotATrace() {
        expectOneLine(loss("--input", input, "--target", target, "--threads", "99999"), "threads:");
        expectOneLine(loss("--input", input, "--target", target, "--label-smoothing", "-0.5"), "labelSmoothing:");
        expectOneLine(loss("--input", input, "--target", target, "--target-kind", "probabilities", "--index-base", "1"),
                "indexBase:");
    }

    @Test
    void aMistypedOptionSaysWhatAndWhereToLook() {
        Object[] r = DemoCommandTest.run(loss("--input", input, "--target", target, "--thraeds", "2"));
        String err = (String) r[2];
        assertEquals(2, r[0], err);
        assertTrue(err.startsWith("xent: Unknown options: '--thraeds'"), err);
        assertTrue(err.contains("Try 'xent loss --help'"), err);
        assertFalse(err.contains("\tat "), err);
    }

    @Test
    void helpFitsEightyColumns() {
        for (String[] args : new String[][] {{"--help"}, {"loss", "--help"}, {"linear-loss", "--help"}, {"demo", "--help"}}) {
            Object[] r = DemoCommandTest.run(args);
            assertEquals(0, r[0]);
            for (String line : ((String) r[1]).lines().toList()) {
                assertTrue(line.length() <= Main.WIDTH, String.join(" ", args) + ": a line of " + line.length() + ": " + line);
            }
        }
    }

    static List<String> leftIn(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
