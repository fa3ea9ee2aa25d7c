package io.github.xent.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The best pure-Java competitor: the Java Vector API (jdk.incubator.vector) over heap arrays. Per
 * position, with target coefficients a_c (index y: (1-eps)[c == y] + eps/C; probabilities t:
 * (1-eps) t_c + eps/C) and A = sum a_c: loss = A lse - sum a_c x_c, gradient (A q_c - a_c) / P.
 * Class-last rows take a max pass, an exp + sum pass ({@code lanewise(EXP)}) and a gradient pass
 * (exp again); class axis 1 runs the same passes a vector of neighbouring positions at a time.
 */
final class VectorApiContender implements Contender {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> SI = IntVector.SPECIES_PREFERRED;
    private final Problem p;
    private final float eps, smooth;  // smooth = eps / C

    VectorApiContender(Problem p) {
        if (SI.length() != S.length()) throw new IllegalStateException("int and float species differ in length");
        this.p = p;
        this.eps = (float) p.smoothing;
        this.smooth = eps / p.classes;
    }

    @Override
    public double forwardBackward() {
        return (p.inner == 1 ? rows(true) : columns(true)) / p.positions;
    }

    @Override
    public double forward() {
        return (p.inner == 1 ? rows(false) : columns(false)) / p.positions;
    }

    private double rows(boolean backward) {
        final float[] x = p.logitsArray, g = p.gradArray, t = p.probsArray;
        final int C = p.classes, bound = S.loopBound(C);
        final float perPosition = 1f / p.positions;
        double total = 0;
        for (int r = 0; r < p.positions; r++) {
            final int base = r * C;
            FloatVector mv = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY), ax = FloatVector.zero(S), av = FloatVector.zero(S);
            int c = 0;
            for (; c < bound; c += S.length()) {
                FloatVector v = FloatVector.fromArray(S, x, base + c);
                mv = mv.max(v);
                FloatVector a = t == null ? FloatVector.broadcast(S, smooth) : FloatVector.fromArray(S, t, base + c).mul(1 - eps).add(smooth);
                ax = a.fma(v, ax);
                av = av.add(a);
            }
            float m = mv.reduceLanes(VectorOperators.MAX), sumAx = ax.reduceLanes(VectorOperators.ADD), sumA = av.reduceLanes(VectorOperators.ADD);
            for (; c < C; c++) {
                m = Math.max(m, x[base + c]);
                float a = t == null ? smooth : (1 - eps) * t[base + c] + smooth;
                sumAx += a * x[base + c];
                sumA += a;
            }
            final int y = p.targetsArray[r];
            if (t == null) {  // the target's share
                sumAx += (1 - eps) * x[base + y];
                sumA += 1 - eps;
            }
            FloatVector sv = FloatVector.zero(S);
            for (c = 0; c < bound; c += S.length()) {
                sv = sv.add(FloatVector.fromArray(S, x, base + c).sub(m).lanewise(VectorOperators.EXP));
            }
            float s = sv.reduceLanes(VectorOperators.ADD);
            for (; c < C; c++) s += (float) Math.exp(x[base + c] - m);
            total += sumA * (m + Math.log(s)) - sumAx;
            if (!backward) continue;

            final float scale = sumA * perPosition / s;
            for (c = 0; c < bound; c += S.length()) {
                FloatVector e = FloatVector.fromArray(S, x, base + c).sub(m).lanewise(VectorOperators.EXP).mul(scale);
                FloatVector a = t == null ? FloatVector.broadcast(S, smooth) : FloatVector.fromArray(S, t, base + c).mul(1 - eps).add(smooth);
                e.sub(a.mul(perPosition)).intoArray(g, base + c);
            }
            for (; c < C; c++) {
                float a = t == null ? smooth : (1 - eps) * t[base + c] + smooth;
                g[base + c] = (float) Math.exp(x[base + c] - m) * scale - a * perPosition;
            }
            if (t == null) g[base + y] -= (1 - eps) * perPosition;
        }
        return total;
    }

    /** Class axis 1: lanes are neighbouring positions i .. i + L of one outer index. */
    private double columns(boolean backward) {
        final float[] x = p.logitsArray, g = p.gradArray, t = p.probsArray;
        final int C = p.classes, inner = p.inner, L = S.length();
        if (inner % L != 0) throw new IllegalStateException("class axis 1 needs inner % " + L + " == 0");
        final float perPosition = 1f / p.positions;
        double total = 0;
        for (int o = 0; o < p.positions / inner; o++) {
            for (int i = 0; i < inner; i += L) {
                final int base = o * C * inner + i;
                IntVector y = IntVector.fromArray(SI, p.targetsArray, o * inner + i);
                FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY), ax = FloatVector.zero(S), av = FloatVector.zero(S);
                for (int c = 0; c < C; c++) {
                    FloatVector v = FloatVector.fromArray(S, x, base + c * inner);
                    m = m.max(v);
                    FloatVector a = coefficient(t, base + c * inner, y, c);
                    ax = a.fma(v, ax);
                    av = av.add(a);
                }
                FloatVector s = FloatVector.zero(S);
                for (int c = 0; c < C; c++) s = s.add(FloatVector.fromArray(S, x, base + c * inner).sub(m).lanewise(VectorOperators.EXP));
                total += av.mul(m.add(s.lanewise(VectorOperators.LOG))).sub(ax).reduceLanes(VectorOperators.ADD);
                if (!backward) continue;
                FloatVector scale = av.mul(perPosition).div(s);
                for (int c = 0; c < C; c++) {
                    FloatVector e = FloatVector.fromArray(S, x, base + c * inner).sub(m).lanewise(VectorOperators.EXP).mul(scale);
                    e.sub(coefficient(t, base + c * inner, y, c).mul(perPosition)).intoArray(g, base + c * inner);
                }
            }
        }
        return total;
    }

    /** a_c of a vector of positions. */
    private FloatVector coefficient(float[] t, int at, IntVector y, int c) {
        if (t != null) return FloatVector.fromArray(S, t, at).mul(1 - eps).add(smooth);
        VectorMask<Float> hit = y.compare(VectorOperators.EQ, c).cast(S);
        return FloatVector.broadcast(S, smooth).add(FloatVector.broadcast(S, 1 - eps), hit);
    }
}
