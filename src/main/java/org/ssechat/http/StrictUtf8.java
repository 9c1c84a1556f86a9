package org.ssechat.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.ssechat.chat.ChatRequestException;

/** Decodes UTF-8 and refuses malformed bytes, where {@code new String(bytes, UTF_8)} would replace them. */
public final class StrictUtf8 {

    private StrictUtf8() {
    }

    public static String decode(byte[] bytes, int length, String whatIsWrong) throws ChatRequestException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, length)).toString();
        } catch (CharacterCodingException e) {
            throw ChatRequestException.badRequest(whatIsWrong);
        }
    }
}
