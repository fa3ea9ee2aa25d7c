package io.github.xent;


/** Facts about this xent installation. */
public final class Xent {
    private Xent() {}

    /** The Java library's version. */
    public static String version() {
        Package p = Xent.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v != null ? v : "0.1.0-SNAPSHOT";
    }

    /** Whether the native library loaded on this platform. */
    public static boolean isNativeAvailable() {
        return NativeLibrary.available();
    }

    /** Why the native library did not load, or null when it did. */
    public static String nativeUnavailableReason() {
        return NativeLibrary.reason();
    }

    /** The native library's version, or null when it is not loaded. */
    public static String nativeVersion() {
        return NativeLibrary.available() ? XentNative.xent_version() : null;
    }

    /**
     * The instruction set the native kernels use now: the best this CPU has, capped by the
     * environment variable {@code XENT_MAX_ISA} and {@link #setMaxIsa}. {@link Isa#SCALAR} without
     * the native library.
     */
    public static Isa isa() {
        return NativeLibrary.available() ? Isa.ofCode(XentNative.xent_isa()) : Isa.SCALAR;
    }

    /**
     * Caps the instruction set of the native kernels for calls that start afterwards, in every
     * thread (to compare paths, or to test each one on one machine); returns the one now in use,
     * the lower of {@code max} and what the CPU supports.
     *
     * @throws IllegalStateException without the native library
     */
    public static Isa setMaxIsa(Isa max) {
        if (!NativeLibrary.available()) {
            throw new IllegalStateException("setMaxIsa: the native library is not loaded: " + NativeLibrary.reason());
        }
        return Isa.ofCode(XentNative.xent_set_max_isa(max.code));
    }

    /**
     * The OpenBLAS core that {@link LinearCrossEntropyLoss}'s GEMMs run on ("Haswell", "SkylakeX",
     * ...; the environment variable {@code OPENBLAS_CORETYPE} can choose it), or null without the
     * native library.
     */
    public static String blasCore() {
        return NativeLibrary.available() ? XentNative.xent_blas_core() : null;
    }

    /** The best instruction set this CPU supports. */
    public static Isa supportedIsa() {
        return NativeLibrary.available() ? Isa.ofCode(XentNative.xent_supported_isa()) : Isa.SCALAR;
    }

    /** The thread count a loss built with {@code threads(0)} uses natively (1 without the native library). */
    public static int defaultThreads() {
        return NativeLibrary.available() ? XentNative.xent_default_threads() : 1;
    }

    /**
     * The most threads a loss may ask for: the CPUs this process may run on, or the environment
     * variable {@code XENT_MAX_THREADS} (1 to 1024) when it is set as the native library loads.
     * Every calling thread shares one pool of at most this many threads less one, so many threads
     * calling xent at once never oversubscribe the machine. Without the native library: the JVM's
     * {@link Runtime#availableProcessors()} (the pure-Java backend runs on the calling thread).
     */
    public static int maxThreads() {
        return NativeLibrary.available() ? XentNative.xent_max_threads() : Runtime.getRuntime().availableProcessors();
    }
}
