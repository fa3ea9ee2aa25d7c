package io.github.xent.dl4j;

import org.bytedeco.javacpp.Loader;

/**
 * The JavaCPP and OpenBLAS versions found at run time. DL4J 1.0.0-M2.1 declares JavaCPP 1.5.7 and
 * OpenBLAS 0.3.19-1.5.7; a build that does not pin xent's versions (which is what xent-bom is for)
 * can mix those classes with xent's natives, and fails far from the cause.
 */
final class Versions {
    static final String JAVACPP = "1.5.13";
    static final String OPENBLAS = "0.3.31-1.5.13";

    private Versions() {}

    private static final class Checked {
        static final IllegalStateException PROBLEM = problem(version("javacpp"), version("openblas"));
    }

    /** Throws, naming the BOM, when the class path holds an older JavaCPP or OpenBLAS preset. */
    static void require() {
        if (Checked.PROBLEM != null) throw new IllegalStateException(Checked.PROBLEM.getMessage(), Checked.PROBLEM);
    }

    /** The version in an org.bytedeco artifact's Maven metadata, or null when it cannot be read. */
    private static String version(String artifact) {
        try {
            return Loader.getVersion("org.bytedeco", artifact);
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    /** What is wrong with these versions (null: nothing); a version that cannot be read passes. */
    static IllegalStateException problem(String javacpp, String openblas) {
        String found = older(javacpp, JAVACPP) ? "JavaCPP " + javacpp : older(openblas, OPENBLAS) ? "OpenBLAS preset " + openblas : null;
        if (found == null) return null;
        return new IllegalStateException("xent-dl4j needs JavaCPP " + JAVACPP + " and OpenBLAS preset " + OPENBLAS
                + " or newer, but the class path has " + found + " (DL4J 1.0.0-M2.1 declares 1.5.7): import"
                + " io.github.xent:xent-bom in <dependencyManagement> (type pom, scope import) to pin them");
    }

    /** Whether version a is older than b, comparing their numbers in order ("0.3.19-1.5.7" < "0.3.31-1.5.13"). */
    static boolean older(String a, String b) {
        if (a == null || a.isEmpty()) return false;
        String[] x = a.split("[^0-9]+"), y = b.split("[^0-9]+");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            long p = i < x.length && !x[i].isEmpty() ? Long.parseLong(x[i]) : 0, q = i < y.length && !y[i].isEmpty() ? Long.parseLong(y[i]) : 0;
            if (p != q) return p < q;
        }
        return false;
    }
}
