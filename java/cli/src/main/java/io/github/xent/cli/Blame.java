package io.github.xent.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Names the option and file behind a library error: the library names its arguments
 * ({@code classWeights: weight of class 1 is -2.0 ...}); a user of the tool knows the option and
 * the file that filled it ({@code --weight w.npy: weight of class 1 is -2.0 ...}).
 */
final class Blame {
    private final Map<String, String> owners = new LinkedHashMap<>();

    /** Errors about {@code argument} are the file's given to {@code option} (null: not given). */
    Blame of(String argument, String option, Path file) {
        if (file != null) owners.put(argument + ": ", option + " " + file + ": ");
        return this;
    }

    /** Runs {@code step}, turning a library error about a mapped argument into one about its file. */
    <T> T on(java.util.function.Supplier<T> step) {
        try {
            return step.get();
        } catch (IllegalArgumentException e) {
            String message = e.getMessage() == null ? "" : e.getMessage();
            for (Map.Entry<String, String> owner : owners.entrySet()) {
                if (message.startsWith(owner.getKey())) {
                    throw new Main.UserException(owner.getValue() + message.substring(owner.getKey().length()));
                }
            }
            throw e;
        }
    }
}
