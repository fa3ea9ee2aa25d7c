package io.github.xent.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.openjdk.jmh.annotations.Param;

/**
 * Turns a JMH JSON result (and the PeakMemory lines) into docs/bench/report.md and a bar chart,
 * docs/bench/chart.png. Every ratio compares numbers of the same run.
 *
 *   java -Djava.awt.headless=true -cp bench/target/benchmarks.jar io.github.xent.bench.Report OUT_DIR MEMORY.jsonl RESULTS.json...
 *
 * Several JMH result files (one per invocation) may be given; every ratio stays within one group
 * (mode, shape, variant), which one invocation measured.
 */
public final class Report {
    private Report() {}

    /** One measured (benchmark, shape, contender): the median of the iterations, in ns per call. */
    record Row(String mode, String shape, String variant, String contender, double nsPerCall, long elements) {
        double nsPerElement() {
            return nsPerCall / elements;
        }

        /** Nominal traffic: the input read (forward), plus the gradient written (fwd+bwd). */
        double gbPerSecond() {
            return elements * (mode.equals("forward") ? 4.0 : 8.0) / nsPerCall;
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: Report OUT_DIR MEMORY.jsonl RESULTS.json...");
            System.exit(2);
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 2; i < args.length; i++) rows.addAll(read(Path.of(args[i])));
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        String table = table(rows) + memory(Path.of(args[1]));
        String header = "# Benchmarks\n\nRun of " + LocalDate.now() + " on " + machine() + ", " + System.getProperty("java.vm.name")
                + " " + System.getProperty("java.version") + "; THP_MEM_ALLOC_ENABLE="
                + System.getenv().getOrDefault("THP_MEM_ALLOC_ENABLE", "unset")
                + " (libtorch's default allocator unless set). Medians of the measured iterations; "
                + "ratios are xent's speed-up over the contender in the same run. Regenerate: `bench/report.sh quick|full`.\n\n"
                + "![ns per element](chart.png)\n\n";
        Files.writeString(out.resolve("report.md"), header + table);
        chart(rows, out.resolve("chart.png"));
        System.out.println(header + table);
    }

    /** The contenders in the order CrossEntropyBenchmark's {@code @Param} lists them. */
    static final List<String> CONTENDERS = contenders();

    private static List<String> contenders() {
        try {
            return List.of(CrossEntropyBenchmark.class.getField("contender").getAnnotation(Param.class).value());
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Row> read(Path json) throws IOException {
        List<Row> rows = new ArrayList<>();
        for (JsonNode run : new ObjectMapper().readTree(json.toFile())) {
            String benchmark = run.get("benchmark").asText();
            String mode = benchmark.substring(benchmark.lastIndexOf('.') + 1);
            String shape = run.get("params").get("shape").asText();
            String contender = run.get("params").get("contender").asText();
            String variant = run.get("params").path("variant").asText("index");
            List<Double> values = new ArrayList<>();
            for (JsonNode fork : run.get("primaryMetric").get("rawData")) for (JsonNode v : fork) values.add(v.asDouble());
            values.sort(Double::compare);
            double median = values.isEmpty() ? run.get("primaryMetric").get("score").asDouble() : values.get(values.size() / 2);
            long elements = 1;
            for (String d : shape.split("x")) elements *= Long.parseLong(d);
            rows.add(new Row(mode, shape, variant, contender, median, elements));
        }
        return rows;
    }

    static String table(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        Map<String, List<Row>> groups = new LinkedHashMap<>();
        for (Row r : rows) {
            String key = r.mode() + " " + r.shape() + (r.variant().equals("index") ? "" : ", " + r.variant());
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
        }
        for (Map.Entry<String, List<Row>> g : groups.entrySet()) {
            // The contenders in the benchmark's own order, whichever results file each came from.
            g.getValue().sort(Comparator.comparingInt(r -> CONTENDERS.indexOf(r.contender())));
            sb.append("## ").append(g.getKey()).append("\n\n| contender | time per call | ns/element | GB/s | vs libtorch | vs Vector API | vs pure Java | x floor |\n")
                    .append("|---|---|---|---|---|---|---|---|\n");
            for (Row r : g.getValue()) {
                boolean xentNative = r.contender().startsWith("xent-native");
                String threads = r.contender().endsWith("-1") ? "-1" : "-all";
                sb.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.1f | %s | %s | %s | %s |%n", r.contender(), time(r.nsPerCall()),
                        r.nsPerElement(), r.gbPerSecond(),
                        xentNative ? ratio(g.getValue(), "libtorch" + threads, r) : "",
                        xentNative ? ratio(g.getValue(), "vector-api", r) : "",
                        xentNative ? ratio(g.getValue(), "xent-java", r) : "",
                        xentNative ? floor(g.getValue(), r) : ""));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static String ratio(List<Row> group, String other, Row xent) {
        for (Row o : group) if (o.contender().equals(other)) return String.format(Locale.ROOT, "%.1fx", o.nsPerCall() / xent.nsPerCall());
        return "n/a";
    }

    static String floor(List<Row> group, Row xent) {
        String name = xent.mode().equals("forward") ? "floor-read" : "floor-readwrite";
        for (Row o : group) if (o.contender().equals(name)) return String.format(Locale.ROOT, "%.2f", xent.nsPerCall() / o.nsPerCall());
        return "n/a";
    }

    static String time(double ns) {
        if (ns >= 1e6) return String.format(Locale.ROOT, "%.2f ms", ns / 1e6);
        if (ns >= 1e3) return String.format(Locale.ROOT, "%.2f µs", ns / 1e3);
        return String.format(Locale.ROOT, "%.0f ns", ns);
    }

    static String memory(Path lines) throws IOException {
        if (!Files.exists(lines)) return "";
        StringBuilder sb = new StringBuilder("## Peak extra memory of one forward+backward call\n\n| contender | shape | extra peak | the data itself |\n|---|---|---|---|\n");
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(lines)) {
            if (!line.startsWith("{")) continue;
            JsonNode m = json.readTree(line);
            sb.append(String.format(Locale.ROOT, "| %s | %s | %.1f MB | %.1f MB (logits + gradient) |%n", m.get("contender").asText(),
                    m.get("shape").asText(), m.get("extra_peak_mb").asDouble(), m.get("data_mb").asDouble()));
        }
        return sb.append('\n').toString();
    }

    /** ns/element of every contender, fwd+bwd, on a log axis: 4096x32000 (the headline), else the largest shape. */
    static void chart(List<Row> rows, Path png) throws IOException {
        String shape = null;
        long largest = -1;
        for (Row r : rows) if (r.mode().equals("forwardBackward") && r.variant().equals("index") && r.elements() > largest) {
            largest = r.elements();
            shape = r.shape();
        }
        for (Row r : rows) if (r.shape().equals("4096x32000")) shape = r.shape();
        if (shape == null) return;
        CategoryChart chart = new CategoryChartBuilder().width(1000).height(560)
                .title("Cross-entropy forward+backward, " + shape + " float32 (lower is better)")
                .xAxisTitle("contender").yAxisTitle("ns per element (log scale)").build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setLabelsVisible(true);
        List<String> names = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (Row r : rows) {
            if (r.mode().equals("forwardBackward") && r.variant().equals("index") && r.shape().equals(shape)) {
                names.add(r.contender());
                values.add(r.nsPerElement());
            }
        }
        // Bars start from the axis minimum: a log axis needs one above zero.
        double low = values.stream().mapToDouble(Double::doubleValue).min().orElse(1);
        double high = values.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(low))));
        chart.getStyler().setYAxisMax(Math.pow(10, Math.ceil(Math.log10(high))));
        chart.addSeries("ns/element", names, values);
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    static String machine() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim() + ", " + Runtime.getRuntime().availableProcessors() + " cores";
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return System.getProperty("os.arch") + ", " + Runtime.getRuntime().availableProcessors() + " cores";
    }
}
