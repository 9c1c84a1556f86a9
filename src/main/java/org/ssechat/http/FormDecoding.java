package org.ssechat.http;

import org.ssechat.chat.ChatRequestException;

/**
 * Decodes one application/x-www-form-urlencoded name or value strictly: '+' is a space,
 * each run of {@code %XX} escapes is a sequence of bytes that must be valid UTF-8.
 * {@code URLDecoder} would turn malformed UTF-8 into replacement characters instead.
 */
public final class FormDecoding {

    private FormDecoding() {
    }

    /** @param encoded a name or value from a body that was already decoded as strict UTF-8 */
    public static String decode(String encoded) throws ChatRequestException {
        if (encoded.indexOf('%') < 0) {
            return encoded.replace('+', ' ');
        }
        StringBuilder text = new StringBuilder(encoded.length());
        byte[] escaped = new byte[encoded.length() / 3];
        int i = 0;
        while (i < encoded.length()) {
            char c = encoded.charAt(i);
            if (c != '%') {
                text.append(c == '+' ? ' ' : c);
                i++;
                continue;
            }
            int count = 0;
            while (i < encoded.length() && encoded.charAt(i) == '%') {
                if (i + 3 > encoded.length()) {
                    throw ChatRequestException.badRequest("malformed form body: incomplete %-escape");
                }
                int hi = Character.digit(encoded.charAt(i + 1), 16);
                int lo = Character.digit(encoded.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw ChatRequestException.badRequest("malformed form body: bad %-escape");
                }
                escaped[count++] = (byte) (hi << 4 | lo);
                i += 3;
            }
            text.append(StrictUtf8.decode(escaped, count, "malformed form body: %-escapes are not valid UTF-8"));
        }
        return text.toString();
    }
}
