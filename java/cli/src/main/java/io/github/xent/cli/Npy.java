package io.github.xent.cli;

import io.github.xent.DType;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} format (versions 1 to 3): C-order arrays of float32, float64, int32 or int64,
 * in either byte order. Read into a direct buffer in native order, as xent wants it.
 */
final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** An array read from a file. */
    static final class Array {
        final String name;
        final DType dtype;
        final long[] shape;
        final ByteBuffer data;  // direct, native order, exactly count() elements

        Array(String name, DType dtype, long[] shape, ByteBuffer data) {
            this.name = name;
            this.dtype = dtype;
            this.shape = shape;
            this.data = data;
        }

        long count() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }

        String shapeText() {
            return shapeText(shape);
        }

        static String shapeText(long[] shape) {
            if (shape.length == 1) return "(" + shape[0] + ",)";
            String s = Arrays.toString(shape);
            return "(" + s.substring(1, s.length() - 1) + ")";
        }

        double get(long i) {
            int at = (int) i * dtype.bytes();
            switch (dtype) {
                case FLOAT32: return data.getFloat(at);
                case FLOAT64: return data.getDouble(at);
                case INT32: return data.getInt(at);
                default: return data.getLong(at);
            }
        }

        /** This array's values in another type, in a new direct buffer (itself when the type matches). */
        Array as(DType type) {
            if (type == dtype) return this;
            int n = (int) count();
            ByteBuffer out = ByteBuffer.allocateDirect(n * type.bytes()).order(ByteOrder.nativeOrder());
            for (int i = 0; i < n; i++) {
                double v = get(i);
                switch (type) {
                    case FLOAT32: out.putFloat(i * 4, (float) v); break;
                    case FLOAT64: out.putDouble(i * 8, v); break;
                    case INT32: out.putInt(i * 4, (int) v); break;
                    default: out.putLong(i * 8, (long) v); break;
                }
            }
            return new Array(name, type, shape, out);
        }
    }

    private Npy() {}

    /** Reads {@code file}; {@code option} names the command-line option in error messages. */
    static Array read(Path file, String option) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new Main.UserException(option + ": no such file: " + file);
        }
        String where = option + " " + file;
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
            throw new Main.UserException(where + ": not a .npy file (no \\x93NUMPY magic)");
        }
        int major = bytes[6];
        ByteBuffer head = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength, headerStart;
        if (major == 1) {
            headerLength = Short.toUnsignedInt(head.getShort(8));
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) throw new Main.UserException(where + ": truncated header");
            headerLength = head.getInt(8);
            headerStart = 12;
        } else {
            throw new Main.UserException(where + ": unsupported .npy version " + major);
        }
        if (headerLength < 0 || headerStart + headerLength > bytes.length) {
            throw new Main.UserException(where + ": truncated header");
        }
        String header = new String(bytes, headerStart, headerLength,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = find(DESCR, header, where, "descr");
        if (find(FORTRAN, header, where, "fortran_order").equals("True")) {
            throw new Main.UserException(where + ": Fortran-order arrays are not supported; save np.ascontiguousarray(a)");
        }
        long[] shape = parseShape(find(SHAPE, header, where, "shape"), where);

        ByteOrder order = descr.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        DType dtype = dtypeOf(descr.replaceFirst("^[<>|=]", ""), where, descr);
        long count = 1;
        for (long d : shape) count = Math.multiplyExact(count, d);
        long needed = count * dtype.bytes(), have = bytes.length - (long) headerStart - headerLength;
        if (have < needed) {
            throw new Main.UserException(where + ": truncated: shape " + Array.shapeText(shape) + " of " + descr + " needs "
                    + needed + " bytes of data, the file has " + have);
        }
        if (needed > Integer.MAX_VALUE) throw new Main.UserException(where + ": larger than 2 GB");
        ByteBuffer source = ByteBuffer.wrap(bytes, headerStart + headerLength, (int) needed).slice().order(order);
        ByteBuffer data = ByteBuffer.allocateDirect((int) needed).order(ByteOrder.nativeOrder());
        if (order == ByteOrder.nativeOrder()) {
            data.put(source).flip();
        } else {
            for (int i = 0; i < count; i++) {
                if (dtype.bytes() == 4) data.putInt(i * 4, source.getInt(i * 4));
                else data.putLong(i * 8, source.getLong(i * 8));
            }
        }
        return new Array(file.getFileName().toString(), dtype, shape, data);
    }

    private static String find(Pattern p, String header, String where, String key) {
        Matcher m = p.matcher(header);
        if (!m.find()) throw new Main.UserException(where + ": header has no '" + key + "'");
        return m.group(1);
    }

    private static long[] parseShape(String text, String where) {
        String[] parts = text.split(",");
        long[] shape = new long[parts.length];
        int n = 0;
        for (String part : parts) {
            String t = part.trim();
            if (t.isEmpty()) continue;
            try {
                shape[n++] = Long.parseLong(t.replace("L", ""));
            } catch (NumberFormatException e) {
                throw new Main.UserException(where + ": bad shape (" + text + ")");
            }
        }
        return Arrays.copyOf(shape, n);
    }

    private static DType dtypeOf(String code, String where, String descr) {
        switch (code) {
            case "f4": return DType.FLOAT32;
            case "f8": return DType.FLOAT64;
            case "i4": return DType.INT32;
            case "i8": return DType.INT64;
            default:
                throw new Main.UserException(where + ": dtype " + descr + " is not supported (use float32, float64, int32 or int64)");
        }
    }

    /** Writes float64 values with the given shape (a 0-d array for an empty shape). */
    static void writeFloat64(Path file, long[] shape, double[] values) throws IOException {
        String dims = shape.length == 1 ? shape[0] + "," : String.join(", ", Arrays.stream(shape).mapToObj(Long::toString).toArray(String[]::new));
        String dict = String.format(Locale.ROOT, "{'descr': '<f8', 'fortran_order': False, 'shape': (%s), }", dims);
        int total = MAGIC.length + 4 + dict.length() + 1;
        int padding = (64 - total % 64) % 64;  // the data starts on a 64-byte boundary, as NumPy writes it
        String header = dict + " ".repeat(padding) + "\n";
        ByteBuffer out = ByteBuffer.allocate(10 + header.length() + 8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        out.put(header.getBytes(StandardCharsets.ISO_8859_1));
        for (double v : values) out.putDouble(v);
        try (OutputStream stream = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            stream.write(out.array());
        }
    }
}
