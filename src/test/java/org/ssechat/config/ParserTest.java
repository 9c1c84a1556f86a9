package org.ssechat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParserTest {

    private static <T> T read(Parser<T> parser, String text) {
        return parser.read(new SettingSource.Value("CHAT_X", text, "system property"));
    }

    private static String refusal(Parser<?> parser, String text) {
        return assertThrows(ConfigException.class, () -> read(parser, text)).getMessage();
    }

    @Test
    void aWholeNumberOutsideItsRangeIsRefusedWithTheRange() {
        assertEquals(60L, read(Parser.wholeNumber(1, 60), "60"));
        assertEquals("Invalid setting CHAT_X='61' (from system property): expected a whole number from 1 to 60",
                refusal(Parser.wholeNumber(1, 60), "61"));
        assertEquals("Invalid setting CHAT_X='1.5' (from system property): expected a whole number from 1 to 60",
                refusal(Parser.integer(1, 60), "1.5"));
    }

    @Test
    void aChoiceIsOneOfItsWordsInAnyCase() {
        assertEquals("required", read(Parser.choice("open", "required"), "REQUIRED"));
        assertEquals("Invalid setting CHAT_X='tokens' (from system property): expected open or required",
                refusal(Parser.choice("open", "required"), "tokens"));
    }

    @Test
    void originsAreComparedAsBrowsersSendThem() {
        assertEquals(List.of("http://a.example.com", "https://b.example.com", "https://c.example.com:8443"),
                read(Parser.origins(), "http://A.Example.com:80,https://b.example.com:443, https://c.example.com:8443"));
    }

    @Test
    void aRefusedOriginIsNamedInTheMessage() {
        assertEquals("Invalid setting CHAT_X='https://a.example.com,*' (from system property): expected origins"
                + " like https://app.example.com or http://localhost:3000, separated by commas ('*' is not one;"
                + " '*' is not allowed with credentials)", refusal(Parser.origins(), "https://a.example.com,*"));
    }

    @Test
    void aRedisUrlKeepsItsPasswordOutOfTheMessageAndTheLog() {
        String message = refusal(Parser.redis(), "http://user:secret@host:6379");
        assertEquals("Invalid setting CHAT_X='http://***@host:6379' (from system property): expected a URL like",
                message.substring(0, message.indexOf(" redis://")));
        assertEquals("redis://***@host:6379", Parser.redacted(URI.create("redis://user:secret@host:6379")));
        assertEquals("redis://host:6379", Parser.redacted(read(Parser.redis(), "redis://host:6379")));
    }
}
