import io.github.xent.BackendKind;
import io.github.xent.CrossEntropyLoss;
import io.github.xent.LossResult;
import io.github.xent.Xent;
import java.util.Random;

/**
 * The linux-arm64 platform jar end to end, run by native/cross/arm64-jar.sh on an ARM64 JVM:
 * Java, JNI, libxent and libgomp on ARM64 must load, and a fwd+bwd through them must agree with
 * the pure-Java backend on the same JVM. Exit status 1 when it does not.
 */
public final class Arm64Smoke {
    public static void main(String[] args) {
        System.out.println("arm64 jar: os.arch " + System.getProperty("os.arch") + ", native "
                + (Xent.isNativeAvailable() ? "loaded, ISA " + Xent.isa() : "NOT loaded: " + Xent.nativeUnavailableReason()));
        if (!Xent.isNativeAvailable()) System.exit(1);
        int rows = 64, classes = 1000;
        Random random = new Random(1);
        float[] x = new float[rows * classes];
        long[] y = new long[rows];
        for (int i = 0; i < x.length; i++) x[i] = (float) (8 * random.nextDouble() - 4);
        for (int r = 0; r < rows; r++) y[r] = random.nextInt(classes);
        float[] gNative = new float[x.length], gJava = new float[x.length];
        long[] shape = {rows, classes};
        LossResult n = CrossEntropyLoss.builder().backend(BackendKind.NATIVE).threads(2).build().forwardBackward(shape, x, y, gNative);
        LossResult j = CrossEntropyLoss.builder().backend(BackendKind.JAVA).build().forwardBackward(shape, x, y, gJava);
        double worst = Math.abs(n.loss() - j.loss()) / Math.abs(j.loss());
        for (int i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(gNative[i] - gJava[i]) / (Math.abs(gJava[i]) + 1e-6));
        System.out.printf("arm64 jar: %dx%d fwd+bwd, loss native %.9f, java %.9f; worst relative difference %.2g (1e-5 allowed)%n",
                rows, classes, n.loss(), j.loss(), worst);
        if (!(worst <= 1e-5)) System.exit(1);
    }
}
