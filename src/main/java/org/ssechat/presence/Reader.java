package org.ssechat.presence;

import org.ssechat.auth.Identity;

/**
 * Who a stream's reader is, for presence: a signed-in user (by the token's subject), an
 * anonymous reader by the name the stream gave, or an unnamed one. People with the same key are
 * one person, however many streams (tabs, devices, nodes) they have.
 *
 * @param key    {@code u:<subject>} or {@code n:<name>}; null for an unnamed reader
 * @param userId the token's subject; null for an anonymous reader
 * @param name   the name to show; null for an unnamed reader
 */
public record Reader(String key, String userId, String name) {

    public static final Reader UNNAMED = new Reader(null, null, null);

    /** @param name the name an anonymous stream gave (checked), or null; ignored with an identity */
    public static Reader of(Identity identity, String name) {
        if (identity != null) {
            return new Reader("u:" + identity.subject(), identity.subject(), identity.name());
        }
        return name == null ? UNNAMED : new Reader("n:" + name, null, name);
    }

    public boolean named() {
        return key != null;
    }
}
