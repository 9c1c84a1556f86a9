package org.ssechat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SettingsDocTest {

    private static final Setting<Integer> SECONDS = new Setting<>("CHAT_SECONDS", Parser.integer(1, 60),
            Default.literal(15), String::valueOf, "seconds");
    private static final Setting<Long> SHARE = new Setting<>("CHAT_SHARE", Parser.wholeNumber(0, 9),
            Default.derived("a share of the heap", () -> 3L), String::valueOf, "a share");
    private static final List<Setting<?>> SETTINGS = List.of(SECONDS, SHARE);

    private static List<String> problems(String... rows) {
        return SettingsDoc.parse("| name | default | meaning |\n|---|---|---|\n" + String.join("\n", rows))
                .problems(SETTINGS);
    }

    @Test
    void aTableThatSaysWhatTheSettingsDoHasNoProblems() {
        assertEquals(List.of(), problems("| `CHAT_SECONDS` | `15` (a quarter minute) | seconds (1–60) |",
                "| `CHAT_SHARE` | a share of the heap, rounded | a share; see `CHAT_SECONDS` |"));
    }

    @Test
    void aSettingTheTableLeavesOutIsReported() {
        assertEquals(List.of("CHAT_SHARE is not documented"), problems("| `CHAT_SECONDS` | `15` | seconds |"));
    }

    @Test
    void aRowForNoSettingAndARowTwiceAreReported() {
        assertEquals(List.of("CHAT_GONE is documented but is no setting", "CHAT_SECONDS is documented twice"),
                problems("| `CHAT_SECONDS` | `15` | seconds |", "| `CHAT_SHARE` | a share of the heap | a share |",
                        "| `CHAT_GONE` | `1` | gone |", "| `CHAT_SECONDS` | `15` | seconds |"));
    }

    @Test
    void aStaleDefaultIsReported() {
        assertEquals(List.of("CHAT_SECONDS: the docs say the default is `150`, it is `15`",
                "CHAT_SHARE: the docs say the default is `3`, it is a share of the heap"),
                problems("| `CHAT_SECONDS` | `150` | seconds |", "| `CHAT_SHARE` | `3` | a share |"));
    }

    @Test
    void aStaleRangeOrSettingInAMeaningIsReported() {
        assertEquals(List.of("CHAT_SECONDS: the docs say (0–60), it accepts a whole number from 1 to 60",
                "CHAT_SHARE: the docs mention CHAT_GONE, which is no setting"),
                problems("| `CHAT_SECONDS` | `15` | seconds (0–60) |",
                        "| `CHAT_SHARE` | a share of the heap | a share; see `CHAT_GONE` |"));
    }
}
