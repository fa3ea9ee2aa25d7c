package io.github.xent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code xent linear-loss} on .npy files that NumPy wrote (tools/golden/linear.py), against
 * PyTorch's F.linear + F.cross_entropy: loss, every gradient, the log-sum-exps and the metrics.
 */
class LinearLossCommandTest {
    @TempDir
    Path temp;

    @TestFactory
    Stream<DynamicTest> reproducesPyTorchOnNumPyFiles() throws Exception {
        Path fixtures = Path.of(LinearLossCommandTest.class.getResource("/npy_linear").toURI());
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> folders = Files.list(fixtures)) {
            for (Path folder : folders.sorted().toList()) {
                for (String backend : new String[] {"native", "java"}) {
                    tests.add(DynamicTest.dynamicTest(folder.getFileName() + " [" + backend + "]", () -> check(folder, backend)));
                }
            }
        }
        return tests.stream();
    }

    void check(Path folder, String backend) throws IOException {
        List<String> args = new ArrayList<>(List.of("linear-loss"));
        for (String word : Files.readString(folder.resolve("args.txt")).trim().split("\\s+")) {
            args.add(word.endsWith(".npy") ? folder.resolve(word).toString() : word);
        }
        String tag = folder.getFileName() + "-" + backend;
        Path loss = temp.resolve(tag + "-loss.npy"), grad = temp.resolve(tag + "-grad.npy"),
                gw = temp.resolve(tag + "-gw.npy"), gb = temp.resolve(tag + "-gb.npy"), lse = temp.resolve(tag + "-lse.npy");
        boolean bias = Files.exists(folder.resolve("expected_grad_linear_bias.npy"));
        args.addAll(List.of("--loss-out", loss.toString(), "--grad-out", grad.toString(), "--grad-linear-weight-out",
                gw.toString(), "--lse-out", lse.toString(), "--backend", backend));
        if (bias) args.addAll(List.of("--grad-linear-bias-out", gb.toString()));
        Object[] r = DemoCommandTest.run(args.toArray(String[]::new));
        assertEquals(0, r[0], r[1] + " " + r[2]);
        String json = (String) r[1];
        String metrics = Files.readString(folder.resolve("expected_metrics.json"));
        long count = Long.parseLong(LossCommandTest.field(metrics, "count"));
        assertEquals(count, Long.parseLong(LossCommandTest.field(json, "count")), "count");
        assertEquals((double) Long.parseLong(LossCommandTest.field(metrics, "correct")) / count,
                Double.parseDouble(LossCommandTest.field(json, "accuracy")), 1e-12, "accuracy");
        double zLoss = Double.parseDouble(LossCommandTest.field(metrics, "z_loss"));
        assertEquals(zLoss, Double.parseDouble(LossCommandTest.field(json, "z_loss")), 5e-5 * Math.abs(zLoss), "z_loss");

        boolean float32 = Npy.read(folder.resolve("hidden.npy"), "--input").dtype == io.github.xent.DType.FLOAT32;
        double tol = float32 ? 5e-5 : 1e-10;
        LossCommandTest.compare("loss", Npy.read(folder.resolve("expected_loss.npy"), "e"), Npy.read(loss, "loss"), tol);
        LossCommandTest.compare("grad", Npy.read(folder.resolve("expected_grad.npy"), "e"), Npy.read(grad, "grad"), tol);
        LossCommandTest.compare("gw", Npy.read(folder.resolve("expected_grad_linear_weight.npy"), "e"), Npy.read(gw, "gw"), tol);
        LossCommandTest.compare("lse", Npy.read(folder.resolve("expected_lse.npy"), "e"), Npy.read(lse, "lse"), tol);
        if (bias) LossCommandTest.compare("gb", Npy.read(folder.resolve("expected_grad_linear_bias.npy"), "e"), Npy.read(gb, "gb"), tol);
    }

    @Test
    void aWeightOfTheWrongShapeIsNamed() throws Exception {
        Path folder = Path.of(LinearLossCommandTest.class.getResource("/npy_linear/linear_mean_bias").toURI());
        Object[] r = DemoCommandTest.run("linear-loss", "--input", folder.resolve("hidden.npy").toString(),
                "--linear-weight", folder.resolve("target.npy").toString(), "--target", folder.resolve("target.npy").toString());
        assertEquals(2, r[0]);
        assertTrue(((String) r[2]).startsWith("xent: --linear-weight ") && ((String) r[2]).contains("expected 2 dimensions"),
                (String) r[2]);
        r = DemoCommandTest.run("linear-loss", "--input", folder.resolve("hidden.npy").toString(), "--linear-weight",
                folder.resolve("linear_weight.npy").toString(), "--weight-layout", "dv", "--target",
                folder.resolve("target.npy").toString());
        assertEquals(2, r[0]);
        assertTrue(((String) r[2]).contains("expected (8, V): a (D, V) weight"), (String) r[2]);
        r = DemoCommandTest.run("linear-loss", "--input", folder.resolve("hidden.npy").toString(),
                "--linear-weight", folder.resolve("linear_weight.npy").toString(), "--target", folder.resolve("target.npy").toString(),
                "--weight-layout", "vdx");
        assertEquals(2, r[0]);
        assertTrue(((String) r[2]).contains("--weight-layout: 'vdx' is not one of vd, dv"), (String) r[2]);
    }
}
