package org.ssechat.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessageValidatorTest {

    private static final Instant NOW = Instant.parse("2026-11-24T10:15:30.123456Z");
    private final MessageValidator validator = new MessageValidator(10, 5);

    private String rejection(String user, String text, String room) {
        ChatRequestException e = assertThrows(ChatRequestException.class,
                () -> validator.validate(user, text, room, NOW));
        assertEquals(400, e.status());
        return e.getMessage();
    }

    @Test
    void aGoodMessageIsStampedAndGetsTheDefaultRoom() throws Exception {
        ChatMessage message = validator.validate(" ann ", "hi", null, NOW);
        assertEquals(new ChatMessage(null, "general", "ann", "hi", Instant.parse("2026-11-24T10:15:30.123Z")),
                message);
    }

    @Test
    void lineEndsBecomeLf() throws Exception {
        assertEquals("a\nb\nc", validator.validate("ann", "a\r\nb\rc", "r", NOW).text());
    }

    @Test
    void tabsAndNewlinesAreAllowedInText() throws Exception {
        assertEquals("a\tb\nc", validator.validate("ann", "a\tb\nc", "r", NOW).text());
    }

    @Test
    void limitsCountCharactersNotUtf16Units() throws Exception {
        String tenEmoji = "😀".repeat(10);
        assertEquals(tenEmoji, validator.validate("ann", tenEmoji, null, NOW).text());
        assertEquals("text is longer than 10 characters", rejection("ann", tenEmoji + "x", null));
        assertEquals("😀😀😀😀😀", validator.validate("😀😀😀😀😀", "x", null, NOW).user());
    }

    @ParameterizedTest(name = "{3}")
    @CsvSource(delimiter = '|', value = {
        "ann    | <null>       | r      | text is required",
        "ann    | '   '        | r      | text must not be blank",
        "ann    | '\n\t'       | r      | text must not be blank",
        "ann    | 01234567890  | r      | text is longer than 10 characters",
        "<null> | hi           | r      | user is required",
        "'  '   | hi           | r      | user must not be blank",
        "annabel| hi           | r      | user is longer than 5 characters",
        "ann    | hi           | a b    | room must be 1 to 64 characters: letters, digits, '_' or '-'",
        "ann    | hi           | a/b    | room must be 1 to 64 characters: letters, digits, '_' or '-'",
    })
    void badInputIsRefusedWithAReason(String user, String text, String room, String reason) {
        assertEquals(reason, rejection(nullable(user), unescape(nullable(text)), room));
    }

    @Test
    void controlCharactersAreRefused() {
        assertEquals("user must not contain control characters", rejection("a\nb", "hi", null));
        assertEquals("user must not contain control characters", rejection("a\u0000", "hi", null));
        assertEquals("text must not contain control characters other than newline and tab",
                rejection("ann", "bell\u0007", null));
        assertEquals("text must not contain control characters other than newline and tab",
                rejection("ann", "esc\u001b[31m", null));
        assertEquals("text must not contain control characters other than newline and tab",
                rejection("ann", "c1\u0085", null));
    }

    @Test
    void unpairedSurrogatesAreRefused() {
        assertEquals("text is not valid Unicode (unpaired surrogate)", rejection("ann", "x\ud800y", null));
    }

    @Test
    void aRoomNameOfSixtyFiveCharactersIsTooLong() {
        rejection("ann", "hi", "r".repeat(65));
    }

    private static String nullable(String value) {
        return "<null>".equals(value) ? null : value;
    }

    private static String unescape(String value) {
        return value == null ? null : value.replace("\\n", "\n").replace("\\t", "\t");
    }

    /** Hostile pattern 6: a name that displays as someone else's. */
    @ParameterizedTest
    @CsvSource({"\u202Eadmin", "adm\u200Bin", "a\u200Db", "\uFEFFbob", "a\u2066b", "x\u00ADy"})
    void formatCharactersAreRefusedInNames(String user) {
        String name = user.translateEscapes();
        assertEquals("user must not contain invisible format characters (bidi controls, zero-width characters)",
                rejection(name, "hi", null));
    }

    @ParameterizedTest
    @CsvSource({"system", "System", "SYSTEM", "' system '"})
    void theSystemNameIsReservedForMessagesFromTheChannel(String user) throws Exception {
        MessageValidator roomy = new MessageValidator(10, 32);
        assertEquals("user 'system' is reserved for messages from other programs", assertThrows(
                ChatRequestException.class, () -> roomy.validate(user, "hi", null, NOW)).getMessage());
        assertEquals("system", roomy.validateFromChannel("system", "hi", null, NOW).user());
    }

    @Test
    void namesThatOnlyLookLikeTheReservedOneAreTheirOwn() throws Exception {
        assertEquals("sys", validator.validate("sys", "hi", null, NOW).user());
        assertEquals("ann 😀", new MessageValidator(10, 8).validate("ann 😀", "hi", null, NOW).user());
    }

    @Test
    void formatCharactersInTheTextAreLeftAlone() throws Exception {
        // Right-to-left languages need them; the name is what says who is speaking.
        assertEquals("\u200Fשלום", validator.validate("ann", "\u200Fשלום", null, NOW).text());
    }
}
