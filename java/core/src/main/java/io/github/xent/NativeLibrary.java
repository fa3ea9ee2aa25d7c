package io.github.xent;

import org.bytedeco.javacpp.Loader;

/** Loads the native library once and remembers why, if it could not. */
final class NativeLibrary {
    private static final Throwable LOAD_ERROR = load();
    private static volatile boolean warned;

    private NativeLibrary() {}

    private static Throwable load() {
        try {
            // libxent needs libopenblas.so.0: the OpenBLAS preset's, loaded first (never bundled).
            Loader.load(org.bytedeco.openblas.global.openblas_nolapack.class);
            Loader.load(XentNative.class);
            ProblemLayout.check();
            return null;
        } catch (Throwable t) {  // UnsatisfiedLinkError, a missing platform jar, an ABI mismatch...
            return t;
        }
    }

    static boolean available() {
        return LOAD_ERROR == null;
    }

    /** Why the library did not load, in one line; null when it did. */
    static String reason() {
        if (LOAD_ERROR == null) return null;
        String message = LOAD_ERROR.getMessage();
        return LOAD_ERROR.getClass().getSimpleName() + (message == null ? "" : ": " + message.strip());
    }

    /** For BackendKind.AUTO: says once, in plain words, that the pure-Java backend stands in. */
    static void warnFallbackOnce() {
        if (warned) return;
        warned = true;
        System.getLogger("io.github.xent").log(System.Logger.Level.WARNING,
                "xent: the native library could not be loaded (" + reason() + "); using the pure-Java backend, "
                        + "which computes the same results more slowly. Add the io.github.xent:xent:"
                        + Xent.version() + ":" + platform() + " jar to the class path to get native speed.");
    }

    static String platform() {
        try {
            return Loader.getPlatform();
        } catch (Throwable t) {
            return "<platform>";
        }
    }
}
