package io.github.xent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Both backends against PyTorch (F.cross_entropy, F.nll_loss, F.binary_cross_entropy[_with_logits],
 * and the z-loss and soft-cap written out in torch)
 * on the golden files that tools/golden/make_golden.py writes: loss and gradient to 2e-5 relative
 * in float32, and the metrics (count, summed weight, correct positions).
 */
class GoldenTest {
    static final String[] FILES = {"index_logits_options.json", "index_logits_upstream.json", "index_logits_hostile.json",
        "every_form.json", "per_call_options.json", "hostile_forms.json", "edges.json", "zloss_softcap.json"};
    static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    static List<JsonNode> cases(String file) throws IOException {
        try (InputStream in = GoldenTest.class.getResourceAsStream("/golden/" + file)) {
            if (in == null) throw new IOException("missing golden file " + file);
            List<JsonNode> out = new ArrayList<>();
            JSON.readTree(in).get("cases").forEach(out::add);
            return out;
        }
    }

    /** A JSON array as doubles; a bare number (PyTorch's 0-d loss of an unbatched sample) as one. */
    static double[] doubles(JsonNode array) {
        if (array.isNumber()) return new double[] {array.asDouble()};
        double[] a = new double[array.size()];
        for (int i = 0; i < a.length; i++) a[i] = array.get(i).asDouble();
        return a;
    }

    @TestFactory
    Stream<DynamicTest> matchesPyTorch() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String file : FILES) {
            for (JsonNode c : cases(file)) {
                tests.add(DynamicTest.dynamicTest(c.get("name").asText() + " [JAVA]", () -> check(c, BackendKind.JAVA)));
                for (Isa isa : Isas.available()) {  // every native kernel path this CPU has
                    tests.add(DynamicTest.dynamicTest(c.get("name").asText() + " [NATIVE " + isa + "]",
                            () -> Isas.with(isa, () -> check(c, BackendKind.NATIVE))));
                }
            }
        }
        return tests.stream();
    }

    static void check(JsonNode c, BackendKind backend) {
        Reduction reduction = Reduction.valueOf(c.get("reduction").asText().toUpperCase(Locale.ROOT));
        TargetKind targetKind = TargetKind.valueOf(enumName(c.path("target_kind").asText("index")));
        CrossEntropyLoss.Builder builder = CrossEntropyLoss.builder()
                .backend(backend)
                .targetKind(targetKind)
                .inputKind(InputKind.valueOf(enumName(c.path("input_kind").asText("logits"))))
                .classAxis(c.get("class_axis").asInt())
                .reduction(reduction)
                .indexBase(c.get("index_base").asInt())
                .labelSmoothing(c.get("label_smoothing").asDouble())
                .scale(c.path("scale").asDouble(1.0))
                .zLoss(c.path("z_loss").asDouble(0.0))
                .softcap(c.path("softcap").asDouble(0.0));
        if (targetKind == TargetKind.INDEX) builder.ignoreIndex(c.get("ignore_index").asLong());
        if (!c.get("weight").isNull()) builder.classWeights(doubles(c.get("weight")));
        CrossEntropyLoss loss = builder.build();

        DType dtype = DType.valueOf(enumName(c.get("dtype").asText()));
        DType targetType = DType.valueOf(enumName(c.get("target_dtype").asText()));
        JsonNode shapeNode = c.get("shape");
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) shape[i] = shapeNode.get(i).asLong();

        Tensors.T input = Tensors.of(dtype, doubles(c.get("input")));
        Tensors.T target = Tensors.of(targetType, doubles(c.get("target")));
        Tensors.T grad = Tensors.output(dtype, input.count(), Tensors.Kind.TYPED, 0);
        Batch batch = new Batch().shape(shape).input(input.buffer).target(target.buffer).gradInput(grad.buffer);
        if (!c.path("sample_weights").isMissingNode() && !c.get("sample_weights").isNull()) {
            batch.sampleWeights(Tensors.of(dtype, doubles(c.get("sample_weights"))).buffer);
        }
        if (!c.path("lengths").isMissingNode() && !c.get("lengths").isNull()) {
            batch.lengths(Tensors.of(DType.INT64, doubles(c.get("lengths"))).buffer);
        }
        int positions = doubles(c.get("grad")).length;
        if (targetKind == TargetKind.INDEX) positions = target.count();
        else if (targetKind == TargetKind.PROBABILITIES) positions /= (int) shape[shape.length == 1 ? 0 : c.get("class_axis").asInt() == 1 ? 1 : shape.length - 1];
        JsonNode upstream = c.get("grad_output");
        Tensors.T lossOut = null;
        if (reduction == Reduction.NONE) {
            lossOut = Tensors.output(dtype, positions, Tensors.Kind.TYPED, 0);
            batch.lossOut(lossOut.buffer);
            if (!upstream.isNull()) batch.gradOutput(Tensors.of(dtype, doubles(upstream)).buffer);
        } else if (!upstream.isNull()) {
            batch.gradOutput(upstream.asDouble());
        }
        LossResult r = loss.compute(batch);

        double tol = dtype == DType.FLOAT32 ? 2e-5 : 1e-10;
        if (reduction == Reduction.NONE) {
            Close.arrays("loss", doubles(c.get("loss")), lossOut.toArray(), tol);
        } else {
            Close.scalar("loss", c.get("loss").asDouble(), r.loss(), tol);
        }
        Close.arrays("grad", doubles(c.get("grad")), grad.toArray(), tol);
        assertEquals(BackendKind.valueOf(backend.name()), loss.backend());
        if (c.has("z_part")) Close.scalar("zLoss", c.get("z_part").asDouble(), r.zLoss(), tol);
        if (c.has("count")) {
            assertEquals(c.get("count").asLong(), r.count(), "count");
            assertEquals(c.get("correct").asLong(), r.correct(), "correct");
            Close.scalar("weightSum", c.get("weight_sum").asDouble(), r.weightSum(), 1e-6);
        }
    }

    static String enumName(String pythonName) {
        return pythonName.toUpperCase(Locale.ROOT).replace('-', '_');
    }
}
