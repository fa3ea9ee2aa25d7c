package io.github.xent.cli;

import io.github.xent.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
        final String name;  // the option and the file, as messages name them
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
            long bytes = count() * type.bytes();
            if (bytes > Integer.MAX_VALUE) {  // one direct buffer holds at most 2^31 - 1 bytes
                throw new Main.UserException(name + ": " + count() + " elements, as " + type + ", take " + bytes
                        + " bytes, more than the tool converts (2^31 - 1); write the file as " + type);
            }
            int n = (int) count();
            ByteBuffer out = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
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

    /** NumPy's own limit on a header is 10,000 bytes; anything far beyond is not a .npy header. */
    private static final int MAX_HEADER = 1 << 20;

    /**
     * Reads {@code file}; {@code option} names the command-line option in error messages. Every
     * claim of the header (its length, the shape's element count, the data's size) is checked
     * against the file's size before anything is allocated for it, so a malformed or hostile file
     * (or {@code /dev/zero}) ends in a one-line message.
     */
    static Array read(Path file, String option) throws IOException {
        String where = option + " " + file;
        if (!Files.exists(file)) throw new Main.UserException(option + ": no such file: " + file);
        if (Files.isDirectory(file)) throw new Main.UserException(where + ": is a directory, not a .npy file");
        if (!Files.isRegularFile(file)) throw new Main.UserException(where + ": is not a regular file");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, head, 0, where);
            byte[] magic = new byte[6];
            head.get(0, magic);
            if (size < 10 || !Arrays.equals(magic, MAGIC)) {
                throw new Main.UserException(where + ": not a .npy file (no \\x93NUMPY magic)");
            }
            int major = head.get(6);
            long headerLength;
            int headerStart;
            if (major == 1) {
                headerLength = Short.toUnsignedInt(head.getShort(8));
                headerStart = 10;
            } else if (major == 2 || major == 3) {
                if (size < 12) throw new Main.UserException(where + ": truncated header");
                headerLength = Integer.toUnsignedLong(head.getInt(8));
                headerStart = 12;
            } else {
                throw new Main.UserException(where + ": unsupported .npy version " + major);
            }
            if (headerStart + headerLength > size) {
                throw new Main.UserException(where + ": truncated header: it claims " + headerLength
                        + " bytes, the file has " + (size - headerStart) + " after the header's length");
            }
            if (headerLength > MAX_HEADER) {
                throw new Main.UserException(where + ": header of " + headerLength + " bytes; a .npy header is at most "
                        + MAX_HEADER + " bytes here (NumPy writes under 10,000)");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, headerStart, where);
            String header = new String(headerBytes.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            String descr = find(DESCR, header, where, "descr");
            if (find(FORTRAN, header, where, "fortran_order").equals("True")) {
                throw new Main.UserException(where + ": Fortran-order arrays are not supported; save np.ascontiguousarray(a)");
            }
            long[] shape = parseShape(find(SHAPE, header, where, "shape"), where);

            ByteOrder order = descr.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            DType dtype = dtypeOf(descr.replaceFirst("^[<>|=]", ""), where, descr);
            long count = 1, needed;
            try {
                for (long d : shape) count = Math.multiplyExact(count, d);
                needed = Math.multiplyExact(count, (long) dtype.bytes());
            } catch (ArithmeticException e) {
                throw new Main.UserException(where + ": shape " + Array.shapeText(shape) + " has more elements than fit in 64 bits");
            }
            long dataStart = headerStart + headerLength, have = size - dataStart;
            if (have < needed) {
                throw new Main.UserException(where + ": truncated: shape " + Array.shapeText(shape) + " of " + descr + " needs "
                        + needed + " bytes of data, the file has " + have);
            }
            if (needed > Integer.MAX_VALUE) throw new Main.UserException(where + ": larger than 2 GB");
            ByteBuffer data = ByteBuffer.allocateDirect((int) needed).order(ByteOrder.nativeOrder());
            readFully(channel, data, dataStart, where);
            if (order != ByteOrder.nativeOrder()) {
                ByteBuffer source = data.duplicate().order(order);
                for (int i = 0; i < count; i++) {
                    if (dtype.bytes() == 4) data.putInt(i * 4, source.getInt(i * 4));
                    else data.putLong(i * 8, source.getLong(i * 8));
                }
            }
            return new Array(option + " " + file, dtype, shape, data.clear());
        } catch (IOException e) {
            throw new Main.UserException(where + ": cannot read: " + reason(e));
        }
    }

    /** Fills {@code into} from {@code position}; the file ends early only if it changed meanwhile. */
    private static void readFully(FileChannel channel, ByteBuffer into, long position, String where) throws IOException {
        while (into.hasRemaining()) {
            int n = channel.read(into, position);
            if (n < 0) {
                if (position < 12) return;  // a file shorter than the longest magic and length: checked by the caller
                throw new Main.UserException(where + ": the file ended early (was it being written?)");
            }
            position += n;
        }
    }

    /** An I/O error in a few words: the exception's message, or its kind. */
    static String reason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied";
        if (e instanceof java.nio.file.FileSystemException) {
            String r = ((java.nio.file.FileSystemException) e).getReason();
            if (r != null) return r;
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
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
            if (shape[n - 1] < 0) throw new Main.UserException(where + ": shape (" + text + ") has a negative dimension");
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

    /**
     * Writes float64 values with the given shape (a 0-d array for an empty shape): the header, then
     * the data in chunks, so an output of any size needs no buffer of its size.
     */
    static void writeFloat64(Path file, long[] shape, double[] values) throws IOException {
        String dims = shape.length == 1 ? shape[0] + "," : String.join(", ", Arrays.stream(shape).mapToObj(Long::toString).toArray(String[]::new));
        String dict = String.format(Locale.ROOT, "{'descr': '<f8', 'fortran_order': False, 'shape': (%s), }", dims);
        int total = MAGIC.length + 4 + dict.length() + 1;
        int padding = (64 - total % 64) % 64;  // the data starts on a 64-byte boundary, as NumPy writes it
        String header = dict + " ".repeat(padding) + "\n";
        ByteBuffer out = ByteBuffer.allocate(10 + header.length()).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        out.put(header.getBytes(StandardCharsets.ISO_8859_1));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            writeFully(channel, out.flip());
            ByteBuffer chunk = ByteBuffer.allocate(8 << 13).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < values.length;) {
                chunk.clear();
                for (; i < values.length && chunk.hasRemaining(); i++) chunk.putDouble(values[i]);
                writeFully(channel, chunk.flip());
            }
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) channel.write(bytes);
    }
}
