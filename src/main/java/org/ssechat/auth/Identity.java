package org.ssechat.auth;

import java.time.Instant;

/**
 * Who a verified token says its bearer is, and what it may do until it expires.
 *
 * @param subject   the user's id ({@code sub})
 * @param name      the name messages show ({@code name}, else the subject)
 * @param expiresAt when the token stops being valid ({@code exp}, before the clock skew)
 * @param reads     the rooms it may stream ({@code rooms})
 * @param publishes the rooms it may post to ({@code publish}, else the same as {@code rooms})
 */
public record Identity(String subject, String name, Instant expiresAt, RoomGrant reads, RoomGrant publishes) {
}
