package io.github.xent;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java-C contract, checked rather than assumed: every enum code the binding sends equals the
 * value xent.h gives it (read from the header itself), and every struct offset the binding writes
 * equals the loaded library's (xent_field_offset). Reordering an enum, renumbering xent.h or moving
 * a struct member without the other side fails here.
 */
class ContractTest {
    static final Map<String, Long> HEADER = new LinkedHashMap<>();

    @BeforeAll
    static void readHeader() throws IOException {
        Path header = Path.of("..", "..", "native", "include", "xent.h");
        String text = Files.readString(header);
        Matcher m = Pattern.compile("\\b(XENT_[A-Z0-9_]+)\\s*=\\s*(-?\\d+)").matcher(text);
        while (m.find()) HEADER.put(m.group(1), Long.parseLong(m.group(2)));
        Matcher d = Pattern.compile("#define\\s+(XENT_[A-Z0-9_]+)\\s+(\\d+)").matcher(text);
        while (d.find()) HEADER.put(d.group(1), Long.parseLong(d.group(2)));
    }

    /** Each constant of a Java enum against xent.h's PREFIX + its name; no constant on either side alone. */
    static <E extends Enum<E>> void sameCodes(Class<E> type, String prefix, java.util.function.ToIntFunction<E> code) {
        for (E constant : type.getEnumConstants()) {
            String name = prefix + constant.name();
            assertTrue(HEADER.containsKey(name), "xent.h has no " + name + " for " + type.getSimpleName() + "." + constant);
            assertEquals(HEADER.get(name), (long) code.applyAsInt(constant), type.getSimpleName() + "." + constant + " vs " + name);
        }
        long inHeader = HEADER.keySet().stream().filter(k -> k.startsWith(prefix)).count();
        assertEquals(inHeader, type.getEnumConstants().length, "xent.h has " + inHeader + " " + prefix + "* values");
    }

    @Test
    void enumCodesAreXentHsValues() {
        sameCodes(TargetKind.class, "XENT_TARGET_", k -> k.code);
        sameCodes(InputKind.class, "XENT_INPUT_", k -> k.code);
        sameCodes(Reduction.class, "XENT_REDUCTION_", r -> r.code);
        sameCodes(Isa.class, "XENT_ISA_", i -> i.code);
        for (DType t : DType.values()) assertEquals(HEADER.get("XENT_" + t.name()), (long) t.code, "DType." + t);
    }

    @Test
    void statusCodesAndConstantsAreXentHs() {
        Map<String, Integer> status = Map.of("XENT_OK", XentNative.XENT_OK, "XENT_ERR_ARGUMENT", XentNative.XENT_ERR_ARGUMENT,
                "XENT_ERR_BUFFER", XentNative.XENT_ERR_BUFFER, "XENT_ERR_TARGET", XentNative.XENT_ERR_TARGET,
                "XENT_ERR_UNSUPPORTED", XentNative.XENT_ERR_UNSUPPORTED, "XENT_ERR_INTERNAL", XentNative.XENT_ERR_INTERNAL);
        status.forEach((name, code) -> assertEquals(HEADER.get(name), (long) code, name));
        assertEquals(HEADER.get("XENT_ABI_VERSION"), (long) ProblemLayout.ABI_VERSION, "XENT_ABI_VERSION");
        assertEquals(HEADER.get("XENT_MAX_RANK"), (long) ProblemLayout.MAX_RANK, "XENT_MAX_RANK");
        assertEquals(HEADER.get("XENT_MAX_RANK"), (long) Batch.MAX_DIMENSIONS, "Batch.MAX_DIMENSIONS");
    }

    @Test
    void everyStructOffsetIsTheLibrarys() {
        assertTrue(Xent.isNativeAvailable(), Xent.nativeUnavailableReason());
        for (Object[] field : ProblemLayout.FIELDS) {
            assertEquals((long) (Integer) field[1], XentNative.xent_field_offset((String) field[0]), (String) field[0]);
        }
        assertEquals(-1, XentNative.xent_field_offset("problem.no_such_member"));
        assertEquals(ProblemLayout.PROBLEM_SIZE, XentNative.xent_problem_size());
        assertEquals(ProblemLayout.RESULT_SIZE, XentNative.xent_result_size());
        assertDoesNotThrow(ProblemLayout::check);
    }

    @Test
    void everyMemberOfTheStructsIsChecked() throws IOException {
        // The members xent.h declares in its two structs, against the names the binding checks.
        String text = Files.readString(Path.of("..", "..", "native", "include", "xent.h"));
        int checked = 0;
        for (String struct : new String[] {"xent_problem", "xent_result"}) {
            Matcher body = Pattern.compile("typedef struct " + struct + " \\{(.*?)\\} " + struct + ";", Pattern.DOTALL).matcher(text);
            assertTrue(body.find(), struct);
            Matcher member = Pattern.compile("(?m)^\\s*(?:int64_t|double)\\s+([a-z_]+)").matcher(body.group(1));
            while (member.find()) {
                String name = struct.substring(5) + "." + member.group(1);
                boolean known = false;
                for (Object[] field : ProblemLayout.FIELDS) known |= field[0].equals(name);
                assertTrue(known, "ProblemLayout does not check " + name.toLowerCase(Locale.ROOT));
                checked++;
            }
        }
        assertEquals(ProblemLayout.FIELDS.length, checked);
    }
}
