package io.github.xent;

/** Which implementation computes a loss. */
public enum BackendKind {
    /** The native library when it loads, else the pure-Java backend (with one logged warning). */
    AUTO,
    /** The native library; building a loss fails with the reason when it cannot load. */
    NATIVE,
    /** The pure-Java reference: plain code, double precision, no native dependency. */
    JAVA
}
