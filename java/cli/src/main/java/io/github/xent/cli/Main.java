package io.github.xent.cli;

import io.github.xent.Xent;
import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code xent} command: subcommands, version, and one-line errors, never a stack trace. */
@Command(name = "xent",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Fused native cross-entropy loss and gradient for the JVM.",
        subcommands = {LossCommand.class, LinearLossCommand.class, DemoCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Examples:",
                "  java -jar xent.jar loss --input x.npy --target y.npy --grad-out g.npy",
                "  java -jar xent.jar linear-loss --input h.npy --linear-weight w.npy \\",
                "      --target y.npy --grad-out gh.npy",
                "  java -jar xent.jar demo                  (train on the digits, then time)",
                "  java -jar xent.jar demo --epochs 5 --no-bench",
                "  java -jar xent.jar demo --data my.csv    (features..., label per line)"})
public final class Main implements Runnable {
    /** Help is laid out for a terminal of this many columns. */
    static final int WIDTH = 80;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the tool and returns its exit code (0 ok, 2 user error, 1 other failure). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setUsageHelpWidth(WIDTH);
        cli.setParameterExceptionHandler((e, arguments) -> {
            CommandLine cmd = e.getCommandLine();
            cmd.getErr().println("xent: " + e.getMessage());
            cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for the options.");
            return 2;
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("xent: " + message(e));
            return userError(e) ? 2 : 1;
        });
        return cli.execute(args);
    }

    /** A mistake the user can mend (a file, an option, a value), as opposed to a failure of xent. */
    private static boolean userError(Throwable e) {
        return e instanceof UserException || e instanceof IllegalArgumentException || e instanceof IllegalStateException
                || e instanceof UnsupportedOperationException || e instanceof IOException || e instanceof UncheckedIOException;
    }

    private static String message(Throwable e) {
        if (e instanceof OutOfMemoryError) return "out of memory; give the JVM more with -Xmx (" + e.getMessage() + ")";
        String text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip().replace('\n', ' ');
        return userError(e) ? text : "internal error, please report it: " + e.getClass().getName() + ": " + text;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** A mistake of the user's (bad file, bad option value): reported in one line, no stack trace. */
    static final class UserException extends RuntimeException {
        UserException(String message) {
            super(message);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String natives = Xent.isNativeAvailable()
                    ? "native library " + Xent.nativeVersion() + ", " + Xent.isa().envName() + " kernels, "
                            + Xent.defaultThreads() + " threads by default"
                    : "native library unavailable: " + Xent.nativeUnavailableReason();
            return new String[] {"xent " + Xent.version() + " (" + natives + ")",
                    "Java " + System.getProperty("java.version") + " on " + System.getProperty("os.name") + " "
                            + System.getProperty("os.arch")};
        }
    }
}
