package io.github.xent;

import io.github.xent.jni.XentNative;

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

    /** The thread count a loss built with {@code threads(0)} uses natively (1 without the native library). */
    public static int defaultThreads() {
        return NativeLibrary.available() ? XentNative.xent_default_threads() : 1;
    }
}
