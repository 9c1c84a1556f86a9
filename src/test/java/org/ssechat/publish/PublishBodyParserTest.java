package org.ssechat.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ssechat.chat.ChatRequestException;

class PublishBodyParserTest {

    private static final String JSON = "application/json";
    private static final String FORM = "application/x-www-form-urlencoded";
    private final PublishBodyParser parser = new PublishBodyParser(300);

    /** What a POST brings: its content type, its declared length (-1: chunked) and its body. */
    private record Request(String contentType, byte[] body, long contentLength) {
    }

    private static Request request(String contentType, byte[] body, long contentLength) {
        return new Request(contentType, body, contentLength);
    }

    private static Request request(String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return request(contentType, bytes, bytes.length);
    }

    private PublishBodyParser.Fields read(Request req) throws ChatRequestException {
        String mediaType = parser.checkHead(req.contentType(), req.contentLength());
        return parser.parse(mediaType, req.body(), req.body().length);
    }

    private PublishBodyParser.Fields read(String contentType, String body) throws Exception {
        return read(request(contentType, body));
    }

    private int status(Request req) {
        return assertThrows(ChatRequestException.class, () -> read(req)).status();
    }

    private String error(String contentType, String body) {
        return assertThrows(ChatRequestException.class, () -> read(request(contentType, body))).getMessage();
    }

    @Test
    void readsJson() throws Exception {
        assertEquals(new PublishBodyParser.Fields("ann", "hi\nthere", "dev"),
                read(JSON, "{\"user\":\"ann\",\"text\":\"hi\\nthere\",\"room\":\"dev\"}"));
    }

    @Test
    void jsonWithACharsetAndUnknownFieldsAndNullsIsFine() throws Exception {
        PublishBodyParser.Fields fields = read("Application/JSON; charset=UTF-8",
                "{\"user\":\"ann\",\"text\":\"hi\",\"room\":null,\"extra\":[1,{\"a\":2}]}");
        assertEquals("ann", fields.user());
        assertNull(fields.room());
    }

    @Test
    void readsForms() throws Exception {
        assertEquals(new PublishBodyParser.Fields("ann lee", "é & 😀=ok", null),
                read(FORM, "user=ann+lee&text=%C3%A9+%26+%F0%9F%98%80%3Dok&&ignored"));
    }

    @Test
    void formsMayCarryRawUtf8AndTheFirstOfRepeatedFieldsWins() throws Exception {
        assertEquals(new PublishBodyParser.Fields("zoë", "one", "r"),
                read(FORM, "user=zoë&text=one&text=two&room=r"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "{\"user\":", "{'user':'ann'}", "{user:\"ann\"}", "{\"a\":1} trailing",
            "{\"a\":1}{\"b\":2}", "", "nul", "{\"a\":NaN}"})
    void malformedJsonIsA400(String body) {
        String message = error(JSON, body);
        assertEquals(true, message.startsWith("malformed JSON"), message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1,2]", "42", "\"text\"", "null", "true"})
    void jsonThatIsNotAnObjectIsA400(String body) {
        assertEquals("the body must be a JSON object", error(JSON, body));
    }

    @Test
    void fieldsOfTheWrongJsonTypeAreA400() {
        assertEquals("text must be a string", error(JSON, "{\"user\":\"a\",\"text\":5}"));
        assertEquals("text must be a string", error(JSON, "{\"user\":\"a\",\"text\":{\"x\":1}}"));
        assertEquals("user must be a string", error(JSON, "{\"user\":[\"a\"],\"text\":\"x\"}"));
        assertEquals("room must be a string", error(JSON, "{\"user\":\"a\",\"text\":\"x\",\"room\":true}"));
    }

    @Test
    void malformedUtf8IsA400NotMojibake() throws Exception {
        byte[] body = {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xC3, '"', '}'};
        ChatRequestException e = assertThrows(ChatRequestException.class,
                () -> read(request(JSON, body, body.length)));
        assertEquals("the body is not valid UTF-8", e.getMessage());
    }

    @Test
    void malformedFormEscapesAreA400() {
        assertEquals("malformed form body: bad %-escape", error(FORM, "text=%G1"));
        assertEquals("malformed form body: incomplete %-escape", error(FORM, "text=ab%4"));
        assertEquals("malformed form body: %-escapes are not valid UTF-8", error(FORM, "text=%C3"));
        assertEquals("malformed form body: %-escapes are not valid UTF-8", error(FORM, "text=%FF%FE"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "multipart/form-data; boundary=x", "application/jsonx", ""})
    void otherContentTypesAreA415(String contentType) {
        assertEquals(415, status(request(contentType, "{}")));
    }

    @Test
    void aMissingContentTypeIsA415() {
        assertEquals(415, status(request(null, "{}")));
    }

    @Test
    void aCharsetOtherThanUtf8IsA415() {
        assertEquals(415, status(request(JSON + ";charset=ISO-8859-1", "{}")));
    }

    @Test
    void aDeclaredLengthOverTheLimitIsA413WithoutReading() {
        assertEquals(413, status(request(JSON, new byte[0], 301)));
    }

    @Test
    void aChunkedBodyOverTheLimitIsA413() {
        byte[] body = ("{\"user\":\"a\",\"text\":\"" + "x".repeat(300) + "\"}").getBytes(StandardCharsets.UTF_8);
        assertEquals(413, status(request(JSON, body, -1)));
    }

    @Test
    void aBodyOfExactlyTheLimitIsRead() throws Exception {
        String body = "{\"user\":\"a\",\"text\":\"" + "x".repeat(300 - 22) + "\"}";
        assertEquals(300, body.length());
        assertEquals(278, read(JSON, body).text().length());
    }
}
