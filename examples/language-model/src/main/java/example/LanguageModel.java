package example;

import io.github.xent.dl4j.XentRnnOutputLayer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * A character-level language model in DL4J whose output layer is xent's fused head: an LSTM reads
 * one-hot characters and a {@link XentRnnOutputLayer} predicts the next one from class-index
 * labels (no one-hot labels, no logits held). The text is generated here from a small grammar of
 * English sentences (no one's text, no licence), so the model has something to learn. It trains
 * for the given seconds, printing the loss, and samples a line from the model as it goes.
 *
 *   example.LanguageModel [--seconds 60]
 */
public final class LanguageModel {
    static final int STEPS = 64, BATCH = 32, HIDDEN = 128;

    public static void main(String[] args) {
        double seconds = 60;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--seconds") && i + 1 < args.length) seconds = Double.parseDouble(args[++i]);
            else {
                System.err.println("usage: LanguageModel [--seconds S]   (trains for S seconds, 60 by default)");
                System.exit(2);
            }
        }
        String text = text(new SplittableRandom(1), 200_000);
        List<Character> alphabet = new ArrayList<>(new TreeSet<>(text.chars().mapToObj(c -> (char) c).toList()));
        int v = alphabet.size();
        int[] ids = text.chars().map(c -> alphabet.indexOf((char) c)).toArray();
        System.out.printf(Locale.ROOT, "text: %,d characters generated, %d distinct; a %d-step LSTM(%d) with a %d-class xent head%n",
                text.length(), v, STEPS, HIDDEN, v);

        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(12).dataType(DataType.FLOAT).updater(new Adam(3e-3))
                .weightInit(WeightInit.XAVIER).list()
                .layer(new LSTM.Builder().nIn(v).nOut(HIDDEN).activation(Activation.TANH).build())
                .layer(new XentRnnOutputLayer.Builder().nIn(HIDDEN).nOut(v).labelSmoothing(0.01).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();

        SplittableRandom r = new SplittableRandom(2);
        long start = System.nanoTime(), lastReport = start;
        double first = Double.NaN, last = Double.NaN;
        int iteration = 0;
        while (System.nanoTime() - start < seconds * 1e9) {
            net.fit(batch(ids, v, r));
            last = net.score();
            if (iteration++ == 0) first = last;
            if (System.nanoTime() - lastReport > 10e9) {
                lastReport = System.nanoTime();
                System.out.printf(Locale.ROOT, "%5.1f s  iteration %4d  loss %.3f per character  sample: %s%n",
                        (lastReport - start) / 1e9, iteration, last / STEPS, sample(net, alphabet, "the ", 60, r));
            }
        }
        System.out.printf(Locale.ROOT, "trained %d iterations in %.1f s: loss %.3f -> %.3f per character (uniform: %.3f)%n",
                iteration, (System.nanoTime() - start) / 1e9, first / STEPS, last / STEPS, Math.log(v));
        System.out.println("sample: " + sample(net, alphabet, "a ", 120, r));
        if (!(last < first)) {
            System.out.println("language model: FAILED, the loss did not fall");
            System.exit(1);
        }
        System.out.println("language model: OK");
    }

    /** Sentences from a small grammar: subjects, verbs, objects and places, in random combinations. */
    static String text(SplittableRandom r, int length) {
        String[] subjects = {"the cat", "a dog", "the old man", "my sister", "the bird", "a child", "the teacher", "our neighbour"};
        String[] verbs = {"sees", "finds", "wants", "likes", "carries", "paints", "follows", "remembers"};
        String[] objects = {"a red ball", "the small box", "an apple", "the long road", "a quiet song", "the blue door", "some bread"};
        String[] places = {"in the garden", "by the river", "at home", "near the school", "under the tree", "on the hill"};
        StringBuilder s = new StringBuilder();
        while (s.length() < length) {
            s.append(subjects[r.nextInt(subjects.length)]).append(' ').append(verbs[r.nextInt(verbs.length)]).append(' ')
                    .append(objects[r.nextInt(objects.length)]);
            if (r.nextBoolean()) s.append(' ').append(places[r.nextInt(places.length)]);
            s.append(r.nextInt(4) == 0 ? ". " : " and ");
        }
        return s.toString();
    }

    /** BATCH windows of STEPS characters at random places: one-hot input, the next character's index as the label. */
    static DataSet batch(int[] ids, int v, SplittableRandom r) {
        INDArray x = Nd4j.zeros(DataType.FLOAT, BATCH, v, STEPS), y = Nd4j.zeros(DataType.FLOAT, BATCH, 1, STEPS);
        for (int b = 0; b < BATCH; b++) {
            int at = r.nextInt(ids.length - STEPS - 1);
            for (int t = 0; t < STEPS; t++) {
                x.putScalar(b, ids[at + t], t, 1);
                y.putScalar(b, 0, t, ids[at + t + 1]);
            }
        }
        return new DataSet(x, y);
    }

    /** Characters drawn one at a time from the model's softmax after a prompt. */
    static String sample(MultiLayerNetwork net, List<Character> alphabet, String prompt, int length, SplittableRandom r) {
        net.rnnClearPreviousState();
        StringBuilder out = new StringBuilder(prompt);
        INDArray p = null;
        for (char c : prompt.toCharArray()) p = net.rnnTimeStep(oneHot(alphabet, alphabet.indexOf(c)));
        for (int i = 0; i < length; i++) {
            double u = r.nextDouble(), sum = 0;
            int next = alphabet.size() - 1;
            for (int k = 0; k < alphabet.size(); k++) {
                sum += p.getDouble(0, k, 0);
                if (u < sum) {
                    next = k;
                    break;
                }
            }
            out.append(alphabet.get(next));
            p = net.rnnTimeStep(oneHot(alphabet, next));
        }
        net.rnnClearPreviousState();
        return out.toString().replace('\n', ' ');
    }

    static INDArray oneHot(List<Character> alphabet, int id) {
        INDArray x = Nd4j.zeros(DataType.FLOAT, 1, alphabet.size(), 1);
        x.putScalar(0, id, 0, 1);
        return x;
    }
}
