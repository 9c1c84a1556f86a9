package org.ssechat.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PublishRequestReaderTest {

    private static final String JSON = "application/json";
    private static final String FORM = "application/x-www-form-urlencoded";
    private final PublishRequestReader reader = new PublishRequestReader(300);

    private static HttpServletRequest request(String contentType, byte[] body, long contentLength) throws IOException {
        HttpServletRequest req = mock(HttpServletRequest.class);
        when(req.getContentType()).thenReturn(contentType);
        when(req.getContentLengthLong()).thenReturn(contentLength);
        when(req.getInputStream()).thenReturn(stream(new ByteArrayInputStream(body)));
        return req;
    }

    private static HttpServletRequest request(String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return request(contentType, bytes, bytes.length);
    }

    private PublishRequestReader.Fields read(String contentType, String body) throws Exception {
        return reader.read(request(contentType, body));
    }

    private int status(HttpServletRequest req) {
        return assertThrows(ChatRequestException.class, () -> reader.read(req)).status();
    }

    private String error(String contentType, String body) throws IOException {
        return assertThrows(ChatRequestException.class, () -> reader.read(request(contentType, body))).getMessage();
    }

    @Test
    void readsJson() throws Exception {
        assertEquals(new PublishRequestReader.Fields("ann", "hi\nthere", "dev"),
                read(JSON, "{\"user\":\"ann\",\"text\":\"hi\\nthere\",\"room\":\"dev\"}"));
    }

    @Test
    void jsonWithACharsetAndUnknownFieldsAndNullsIsFine() throws Exception {
        PublishRequestReader.Fields fields = read("Application/JSON; charset=UTF-8",
                "{\"user\":\"ann\",\"text\":\"hi\",\"room\":null,\"extra\":[1,{\"a\":2}]}");
        assertEquals("ann", fields.user());
        assertNull(fields.room());
    }

    @Test
    void readsForms() throws Exception {
        assertEquals(new PublishRequestReader.Fields("ann lee", "é & 😀=ok", null),
                read(FORM, "user=ann+lee&text=%C3%A9+%26+%F0%9F%98%80%3Dok&&ignored"));
    }

    @Test
    void formsMayCarryRawUtf8AndTheFirstOfRepeatedFieldsWins() throws Exception {
        assertEquals(new PublishRequestReader.Fields("zoë", "one", "r"),
                read(FORM, "user=zoë&text=one&text=two&room=r"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "{\"user\":", "{'user':'ann'}", "{user:\"ann\"}", "{\"a\":1} trailing",
            "{\"a\":1}{\"b\":2}", "", "nul", "{\"a\":NaN}"})
    void malformedJsonIsA400(String body) throws IOException {
        String message = error(JSON, body);
        assertEquals(true, message.startsWith("malformed JSON"), message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1,2]", "42", "\"text\"", "null", "true"})
    void jsonThatIsNotAnObjectIsA400(String body) throws IOException {
        assertEquals("the body must be a JSON object", error(JSON, body));
    }

    @Test
    void fieldsOfTheWrongJsonTypeAreA400() throws IOException {
        assertEquals("text must be a string", error(JSON, "{\"user\":\"a\",\"text\":5}"));
        assertEquals("text must be a string", error(JSON, "{\"user\":\"a\",\"text\":{\"x\":1}}"));
        assertEquals("user must be a string", error(JSON, "{\"user\":[\"a\"],\"text\":\"x\"}"));
        assertEquals("room must be a string", error(JSON, "{\"user\":\"a\",\"text\":\"x\",\"room\":true}"));
    }

    @Test
    void malformedUtf8IsA400NotMojibake() throws Exception {
        byte[] body = {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xC3, '"', '}'};
        ChatRequestException e = assertThrows(ChatRequestException.class,
                () -> reader.read(request(JSON, body, body.length)));
        assertEquals("the body is not valid UTF-8", e.getMessage());
    }

    @Test
    void malformedFormEscapesAreA400() throws IOException {
        assertEquals("malformed form body: bad %-escape", error(FORM, "text=%G1"));
        assertEquals("malformed form body: incomplete %-escape", error(FORM, "text=ab%4"));
        assertEquals("malformed form body: %-escapes are not valid UTF-8", error(FORM, "text=%C3"));
        assertEquals("malformed form body: %-escapes are not valid UTF-8", error(FORM, "text=%FF%FE"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "multipart/form-data; boundary=x", "application/jsonx", ""})
    void otherContentTypesAreA415(String contentType) throws IOException {
        assertEquals(415, status(request(contentType, "{}")));
    }

    @Test
    void aMissingContentTypeIsA415() throws IOException {
        assertEquals(415, status(request(null, "{}")));
    }

    @Test
    void aCharsetOtherThanUtf8IsA415() throws IOException {
        assertEquals(415, status(request(JSON + ";charset=ISO-8859-1", "{}")));
    }

    @Test
    void aDeclaredLengthOverTheLimitIsA413WithoutReading() throws IOException {
        HttpServletRequest req = request(JSON, new byte[0], 301);
        assertEquals(413, status(req));
    }

    @Test
    void aChunkedBodyIsCutOffOneBytePastTheLimit() throws IOException {
        CountingStream endless = new CountingStream();
        HttpServletRequest req = mock(HttpServletRequest.class);
        when(req.getContentType()).thenReturn(JSON);
        when(req.getContentLengthLong()).thenReturn(-1L);
        when(req.getInputStream()).thenReturn(stream(endless));
        assertEquals(413, status(req));
        assertEquals(301, endless.served, "reads stop one byte past the limit");
    }

    @Test
    void aBodyOfExactlyTheLimitIsRead() throws Exception {
        String body = "{\"user\":\"a\",\"text\":\"" + "x".repeat(300 - 22) + "\"}";
        assertEquals(300, body.length());
        assertEquals(278, read(JSON, body).text().length());
    }

    /** An endless body of spaces that counts what it served. */
    private static final class CountingStream extends InputStream {
        int served;

        @Override
        public int read() {
            served++;
            return ' ';
        }

        @Override
        public int read(byte[] b, int off, int len) {
            java.util.Arrays.fill(b, off, off + len, (byte) ' ');
            served += len;
            return len;
        }
    }

    private static ServletInputStream stream(InputStream in) {
        return new ServletInputStream() {
            @Override
            public int read() throws IOException {
                return in.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return in.read(b, off, len);
            }

            @Override
            public boolean isFinished() {
                return false;
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setReadListener(ReadListener listener) {
                throw new UnsupportedOperationException();
            }
        };
    }
}
