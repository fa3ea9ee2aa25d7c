package io.github.xent.cli;

import io.github.xent.Xent;
import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code xent} command: subcommands, version, and one-line errors for user mistakes. */
@Command(name = "xent",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Fused native cross-entropy loss and gradient for the JVM.",
        subcommands = {LossCommand.class, DemoCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Examples:",
                "  java -jar xent.jar loss --input x.npy --target y.npy --grad-out g.npy",
                "  java -jar xent.jar demo                      train a digit classifier, then time native vs Java",
                "  java -jar xent.jar demo --epochs 5 --no-bench",
                "  java -jar xent.jar demo --data my.csv        features..., label per line"})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the tool and returns its exit code (0 ok, 2 user error, 1 other failure). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof IllegalArgumentException || e instanceof IOException || e instanceof UncheckedIOException
                    || e instanceof UserException) {
                cmd.getErr().println("xent: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli.execute(args);
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
