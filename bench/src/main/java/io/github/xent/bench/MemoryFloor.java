package io.github.xent.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The memory floor over the same bytes as the logits: a streaming read-only pass (a sum) or a
 * read+write pass (the gradient buffer gets x / 2). Probability targets are a stream of their own,
 * as large as the logits, so for them both passes read the targets too (a sum of both; x / 2 + t).
 * No loss: nothing to compare.
 */
final class MemoryFloor implements Contender {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private final Problem p;
    private final boolean write;

    MemoryFloor(Problem p, boolean write) {
        this.p = p;
        this.write = write;
    }

    @Override
    public boolean computesLoss() {
        return false;
    }

    @Override
    public double forwardBackward() {
        return write ? readWrite() : read();
    }

    @Override
    public double forward() {
        return read();
    }

    private double read() {
        return p.probabilities ? sum(p.logitsArray) + sum(p.probsArray) : sum(p.logitsArray);
    }

    private static double sum(float[] x) {
        int bound = S.loopBound(x.length), i = 0;
        FloatVector a = FloatVector.zero(S), b = FloatVector.zero(S);
        for (; i + S.length() < bound; i += 2 * S.length()) {
            a = a.add(FloatVector.fromArray(S, x, i));
            b = b.add(FloatVector.fromArray(S, x, i + S.length()));
        }
        float s = a.add(b).reduceLanes(VectorOperators.ADD);
        for (; i < x.length; i++) s += x[i];
        return s;
    }

    private double readWrite() {
        float[] x = p.logitsArray, y = p.gradArray;
        int bound = S.loopBound(x.length), i = 0;
        if (p.probabilities) {
            float[] t = p.probsArray;
            for (; i < bound; i += S.length()) {
                FloatVector.fromArray(S, x, i).mul(0.5f).add(FloatVector.fromArray(S, t, i)).intoArray(y, i);
            }
            for (; i < x.length; i++) y[i] = x[i] * 0.5f + t[i];
        } else {
            for (; i < bound; i += S.length()) FloatVector.fromArray(S, x, i).mul(0.5f).intoArray(y, i);
            for (; i < x.length; i++) y[i] = x[i] * 0.5f;
        }
        return y[0];
    }
}
