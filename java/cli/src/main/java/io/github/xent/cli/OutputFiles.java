package io.github.xent.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A command's output files, written all or none. Before anything is computed, {@link #plan} refuses
 * an output that exists and is not a regular file (a folder, a FIFO, a socket, a device: renaming
 * over one would replace it, even /dev/null for root), that is one of the inputs or another output
 * (the same file, also through a link), or whose folder cannot take a new file; each planned output gets a temporary
 * file in its own folder. The outputs are written there, and renamed into place by {@link #commit}
 * only when every one has been written: a failure leaves no partial file and every old file as it
 * was ({@link #close} removes what is left).
 */
final class OutputFiles implements AutoCloseable {
    private record Output(String option, Path given, Path target, Path temp) {}

    private final Map<String, Path> inputs = new LinkedHashMap<>();
    private final List<Output> outputs = new ArrayList<>();

    /** Remembers an input file (null: the option was not given), which no output may overwrite. */
    OutputFiles input(String option, Path path) {
        if (path != null) inputs.put(option, path);
        return this;
    }

    /** Checks an output (null: the option was not given) and creates its temporary file. */
    void plan(String option, Path path) {
        if (path == null) return;
        String where = option + " " + path;
        if (Files.isDirectory(path)) throw new Main.UserException(where + ": is a directory; give a file name");
        requireRegularIfExists(where, path);
        Path target = target(where, path);
        for (Map.Entry<String, Path> in : inputs.entrySet()) {
            if (same(target, in.getValue())) {
                throw new Main.UserException(where + ": is the file of " + in.getKey() + " (" + in.getValue()
                        + "); an output may not overwrite an input");
            }
        }
        for (Output out : outputs) {
            if (same(target, out.target())) {
                throw new Main.UserException(where + ": is the file of " + out.option() + " (" + out.given()
                        + "); give each output a file of its own");
            }
        }
        Path temp;
        try {
            temp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".tmp");
        } catch (IOException e) {
            throw new Main.UserException(where + ": cannot write in " + target.getParent() + ": " + Npy.reason(e));
        }
        outputs.add(new Output(option, path, target, temp));
    }

    /** Whether {@code option} names a planned output. */
    boolean planned(String option) {
        return outputs.stream().anyMatch(o -> o.option().equals(option));
    }

    /** Writes a planned output's values, as float64 .npy, into its temporary file. */
    void write(String option, long[] shape, double[] values) {
        for (Output out : outputs) {
            if (!out.option().equals(option)) continue;
            try {
                Npy.writeFloat64(out.temp(), shape, values);
            } catch (IOException e) {
                throw new Main.UserException(option + " " + out.given() + ": cannot write: " + Npy.reason(e));
            }
            return;
        }
        throw new IllegalStateException(option + " was not planned");
    }

    /**
     * Renames every written output into place (replacing what was there). Each target is checked
     * again first: a FIFO or device put there during the call is refused, not replaced.
     */
    void commit() {
        for (Output out : outputs) requireRegularIfExists(out.option() + " " + out.given(), out.target());
        for (Output out : outputs) {
            try {
                Files.move(out.temp(), out.target(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new Main.UserException(out.option() + " " + out.given() + ": cannot replace the file: " + Npy.reason(e));
            }
        }
        outputs.clear();
    }

    /** Removes the temporary files of outputs not committed. */
    @Override
    public void close() {
        for (Output out : outputs) {
            try {
                Files.deleteIfExists(out.temp());
            } catch (IOException ignored) {  // a temporary file left behind: its name says what it is
            }
        }
        outputs.clear();
    }

    /** An existing output (a link is followed) must be a regular file: nothing else is replaced. */
    private static void requireRegularIfExists(String where, Path path) {
        if (Files.exists(path) && !Files.isRegularFile(path)) {
            String kind = Files.isDirectory(path) ? "a directory" : "not a regular file (a FIFO, socket or device)";
            throw new Main.UserException(where + ": is " + kind + "; an output must be a new or a regular file");
        }
    }

    /**
     * The file an output will replace: an existing file's real path (so a link is followed, and the
     * file it points at is replaced), else the real path of its folder with its name.
     */
    private static Path target(String where, Path path) {
        try {
            if (Files.exists(path)) return path.toRealPath();
            Path absolute = path.toAbsolutePath();
            Path folder = absolute.getParent();
            if (folder == null || !Files.isDirectory(folder)) {
                throw new Main.UserException(where + ": the folder " + folder + " does not exist");
            }
            return folder.toRealPath().resolve(absolute.getFileName());
        } catch (IOException e) {
            throw new Main.UserException(where + ": " + Npy.reason(e));
        }
    }

    private static boolean same(Path target, Path other) {
        try {
            if (Files.exists(target) && Files.exists(other)) return Files.isSameFile(target, other);
            return target.equals(target(other.toString(), other));
        } catch (IOException | Main.UserException e) {
            return false;  // an input that cannot be resolved is reported when it is read
        }
    }
}
