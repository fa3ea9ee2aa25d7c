package io.github.xent.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The best pure-Java competitor: the Java Vector API (jdk.incubator.vector) over heap arrays, per
 * row a max pass, an exp + sum pass ({@code lanewise(EXP)}) and a gradient pass (exp again).
 */
final class VectorApiContender implements Contender {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private final Problem p;

    VectorApiContender(Problem p) {
        this.p = p;
    }

    @Override
    public double forwardBackward() {
        return run(true);
    }

    @Override
    public double forward() {
        return run(false);
    }

    private double run(boolean backward) {
        final float[] x = p.logitsArray, g = p.gradArray;
        final int C = p.classes, bound = S.loopBound(C);
        final float inverseRows = 1f / p.rows;
        double total = 0;
        for (int r = 0; r < p.rows; r++) {
            final int base = r * C;
            FloatVector mv = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            int c = 0;
            for (; c < bound; c += S.length()) mv = mv.max(FloatVector.fromArray(S, x, base + c));
            float m = mv.reduceLanes(VectorOperators.MAX);
            for (; c < C; c++) m = Math.max(m, x[base + c]);

            FloatVector sv = FloatVector.zero(S);
            for (c = 0; c < bound; c += S.length()) {
                sv = sv.add(FloatVector.fromArray(S, x, base + c).sub(m).lanewise(VectorOperators.EXP));
            }
            float s = sv.reduceLanes(VectorOperators.ADD);
            for (; c < C; c++) s += (float) Math.exp(x[base + c] - m);
            final int y = p.targetsArray[r];
            total += m + Math.log(s) - x[base + y];
            if (!backward) continue;

            final float scale = inverseRows / s;
            for (c = 0; c < bound; c += S.length()) {
                FloatVector.fromArray(S, x, base + c).sub(m).lanewise(VectorOperators.EXP).mul(scale).intoArray(g, base + c);
            }
            for (; c < C; c++) g[base + c] = (float) Math.exp(x[base + c] - m) * scale;
            g[base + y] -= inverseRows;
        }
        return total / p.rows;
    }
}
