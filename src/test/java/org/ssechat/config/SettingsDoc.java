package org.ssechat.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The settings table of a Markdown document ({@code | `NAME` | default | meaning |} rows) held
 * against the settings of {@link ChatConfig}: every setting documented once and no other, each
 * default cell beginning with the setting's documented default (a literal one is its value:
 * {@code `15`}, {@code `604800` (7 days)}), and no meaning naming a range or a setting that is
 * not there.
 */
final class SettingsDoc {

    private static final Pattern ROW = Pattern.compile("^\\| `([A-Z][A-Z0-9_]*)` \\| ([^|]*) \\| (.*) \\|$");
    /** A range as the docs write one: (0–3600). */
    private static final Pattern RANGE = Pattern.compile("\\((\\d+) ?[–-] ?(\\d+)\\)");
    /** A setting's name as the docs write one: `CHAT_AUTH`. */
    private static final Pattern NAME = Pattern.compile("`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`");

    record Row(String name, String byDefault, String meaning) {
    }

    private final List<Row> rows;

    private SettingsDoc(List<Row> rows) {
        this.rows = rows;
    }

    /** The rows of the settings table in a document's text, in its order. */
    static SettingsDoc parse(String markdown) {
        List<Row> rows = new ArrayList<>();
        for (String line : markdown.lines().toList()) {
            Matcher row = ROW.matcher(line);
            if (row.matches()) {
                rows.add(new Row(row.group(1), row.group(2).trim(), row.group(3).trim()));
            }
        }
        return new SettingsDoc(rows);
    }

    List<Row> rows() {
        return rows;
    }

    /** What the document says that the settings do not do; empty when the two agree. */
    List<String> problems(List<Setting<?>> settings) {
        Map<String, Setting<?>> byName = new LinkedHashMap<>();
        settings.forEach(setting -> byName.put(setting.name(), setting));
        List<String> problems = new ArrayList<>();
        Set<String> documented = rows.stream().map(Row::name).collect(Collectors.toSet());
        byName.keySet().stream().filter(name -> !documented.contains(name))
                .forEach(name -> problems.add(name + " is not documented"));
        Set<String> seen = new HashSet<>();
        for (Row row : rows) {
            Setting<?> setting = byName.get(row.name());
            if (setting == null) {
                problems.add(row.name() + " is documented but is no setting");
            } else if (!seen.add(row.name())) {
                problems.add(row.name() + " is documented twice");
            } else {
                problems.addAll(disagreements(row, setting, byName.keySet()));
            }
        }
        return problems;
    }

    private static List<String> disagreements(Row row, Setting<?> setting, Set<String> names) {
        List<String> problems = new ArrayList<>();
        String byDefault = setting.byDefault().documented();
        if (!row.byDefault().startsWith(byDefault)) {
            problems.add(row.name() + ": the docs say the default is " + row.byDefault() + ", it is " + byDefault);
        }
        Matcher range = RANGE.matcher(row.meaning());
        while (range.find()) {
            String said = "from " + range.group(1) + " to " + range.group(2);
            if (!setting.parser().accepted().endsWith(said)) {
                problems.add(row.name() + ": the docs say " + range.group() + ", it accepts "
                        + setting.parser().accepted());
            }
        }
        Matcher name = NAME.matcher(row.meaning());
        while (name.find()) {
            if (!names.contains(name.group(1))) {
                problems.add(row.name() + ": the docs mention " + name.group(1) + ", which is no setting");
            }
        }
        return problems;
    }
}
