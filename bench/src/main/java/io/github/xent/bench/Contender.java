package io.github.xent.bench;

/** One way of computing the mean cross-entropy of a {@link Problem} and, for fwd+bwd, its gradient. */
interface Contender extends AutoCloseable {
    /** Loss and gradient; returns the loss. */
    double forwardBackward();

    /** Loss only. */
    double forward();

    /** Whether its loss is comparable (memory floors compute none). */
    default boolean computesLoss() {
        return true;
    }

    @Override
    default void close() {}

    static Contender create(String name, Problem p) {
        switch (name) {
            case "xent-native-1": return new XentContender(p, io.github.xent.BackendKind.NATIVE, 1);
            case "xent-native-all": return new XentContender(p, io.github.xent.BackendKind.NATIVE, 0);
            case "xent-java": return new XentContender(p, io.github.xent.BackendKind.JAVA, 1);
            case "vector-api": return new VectorApiContender(p);
            case "libtorch-1": return new LibtorchContender(p, 1);
            case "libtorch-all": return new LibtorchContender(p, Runtime.getRuntime().availableProcessors());
            case "floor-read": return new MemoryFloor(p, false);
            case "floor-readwrite": return new MemoryFloor(p, true);
            default: throw new IllegalArgumentException("contender: unknown " + name);
        }
    }
}
