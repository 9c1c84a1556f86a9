package org.ssechat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's settings table says what {@link ChatConfig} does: the same names, and where the
 * README gives a default as a literal ({@code `1000`}), the same default. So the two cannot drift.
 */
class ReadmeSettingsTest {

    private static final Pattern ROW = Pattern.compile("^\\| `([A-Z_]+)` \\| ([^|]+) \\|");
    private static final Pattern LITERAL = Pattern.compile("^`([^`]*)`(?: \\(.*\\))?$");

    /** Setting name to the README's default cell, in the README's order. */
    private static Map<String, String> readmeTable() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("README.md"));
        int start = lines.indexOf("## Settings");
        assertTrue(start >= 0, "the README has a Settings section");
        Map<String, String> table = new LinkedHashMap<>();
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            Matcher row = ROW.matcher(line);
            if (row.find()) {
                table.put(row.group(1), row.group(2).trim());
            }
        }
        return table;
    }

    @Test
    void theReadmeListsEverySettingAndNoOther() throws Exception {
        Set<String> documented = readmeTable().keySet();
        Set<String> known = ChatConfig.load(SettingSource.ofMap(Map.of())).describe().keySet();
        assertEquals(known, Set.copyOf(documented));
    }

    @Test
    void everyLiteralDefaultInTheReadmeIsTheRealOne() throws Exception {
        Map<String, String> actual = ChatConfig.load(SettingSource.ofMap(Map.of())).describe();
        int literals = 0;
        for (Map.Entry<String, String> row : readmeTable().entrySet()) {
            Matcher literal = LITERAL.matcher(row.getValue());
            if (literal.matches()) {
                literals++;
                String real = actual.get(row.getKey());
                assertTrue(real.equals(literal.group(1)) || real.startsWith(literal.group(1) + " "),
                        row.getKey() + ": the README says " + row.getValue() + ", the default is " + real);
            }
        }
        assertTrue(literals >= 12, "most defaults are literals: " + literals);
    }
}
