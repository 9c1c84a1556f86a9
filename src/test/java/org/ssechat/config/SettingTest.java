package org.ssechat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SettingTest {

    private static final Setting<Integer> SECONDS = new Setting<>("CHAT_SECONDS", Parser.integer(0, 60),
            Default.literal(15), Setting.zeroMeans("0 (never)"), "seconds");

    @Test
    void anUnsetSettingHasItsDefaultAndASetOneItsValue() {
        assertEquals(15, SECONDS.load(SettingSource.ofMap(Map.of())));
        assertEquals(7, SECONDS.load(SettingSource.ofMap(Map.of("CHAT_SECONDS", "7"))));
    }

    @Test
    void aLiteralDefaultIsDocumentedAsItselfAndTheOthersInWords() {
        assertEquals("`15`", SECONDS.byDefault().documented());
        assertEquals("`false`", Default.literal(false).documented());
        assertEquals("unset", Default.unset(Optional.empty()).documented());
        assertEquals("a share of the heap", Default.derived("a share of the heap", () -> 1L).documented());
    }

    @Test
    void aSecretIsShownOnlyAsSetOrNot() {
        assertEquals("(set)", Setting.hidden("(unset)").apply(Optional.of("s3cret")));
        assertEquals("(unset: anybody may publish)", Setting.hidden("(unset: anybody may publish)").apply(Optional.empty()));
    }

    @Test
    void zeroIsShownWithWhatItMeans() {
        assertEquals("0 (never)", SECONDS.shown().apply(0));
        assertEquals("7", SECONDS.shown().apply(7));
    }
}
