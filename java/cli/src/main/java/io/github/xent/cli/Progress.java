package io.github.xent.cli;

import java.io.PrintStream;

/** A one-line progress bar on a terminal; silent when the output is not one (logs stay clean). */
final class Progress {
    private final PrintStream out;
    private final boolean enabled;
    private int lastPercent = -1;

    Progress(PrintStream out) {
        this.out = out;
        this.enabled = System.console() != null && System.getenv("CI") == null;
    }

    void show(String label, long done, long total) {
        if (!enabled) return;
        int percent = (int) (100 * done / Math.max(1, total));
        if (percent == lastPercent) return;
        lastPercent = percent;
        int width = 30, filled = width * percent / 100;
        out.print("\r\033[2K" + label + " [" + "#".repeat(filled) + ".".repeat(width - filled) + "] " + percent + "%");
        out.flush();
    }

    /** Says what a long step is doing; on a terminal it is replaced by the next line. */
    void note(String text) {
        if (enabled) {
            out.print("\r" + text + "...");
            out.flush();
        }
    }

    void clear() {
        if (!enabled) return;
        out.print("\r\033[2K");
        out.flush();
        lastPercent = -1;
    }
}
