package org.ssechat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The settings table of docs/configuration.md says what {@link ChatConfig}'s table does: the
 * same names, the same defaults, and no range or setting that is not there (see
 * {@link SettingsDoc}). So the two cannot drift.
 */
class ConfigurationDocTest {

    /** The document that holds the settings table (the rows {@code | `NAME` | default | meaning |}). */
    private static final Path DOC = Path.of("docs/configuration.md");

    @Test
    void theDocsDescribeEverySettingAsItIs() throws Exception {
        SettingsDoc doc = SettingsDoc.parse(Files.readString(DOC));
        assertEquals(List.of(), doc.problems(ChatConfig.SETTINGS), "what " + DOC + " says and the settings do not");
        assertEquals(ChatConfig.SETTINGS.size(), doc.rows().size(), "one row a setting");
    }
}
