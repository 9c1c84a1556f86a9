package org.ssechat.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which rooms need a token, and what a token's rooms let its bearer do. */
class RoomAccessTest {

    private static final Identity ANN = new Identity("u1", "Ann", Instant.MAX,
            new RoomGrant(List.of("general", "private-ann*")), new RoomGrant(List.of("private-ann")));

    private static RoomAccess access(boolean required) {
        TokenKeys keys = TokenKeys.from(Optional.of("0123456789abcdef0123456789abcdef"), Optional.empty()).orElseThrow();
        return new RoomAccess(new TokenVerifier(keys, Duration.ofSeconds(30), TokenVerifierTest.NAMES, java.time.Clock.systemUTC()), required);
    }

    private static int status(RoomAccess access, RoomAccess.Caller caller, String room, boolean publishing) {
        return access.check(caller, room, publishing).map(RoomAccess.Denial::status).orElse(200);
    }

    @Test
    void withoutAKeyEveryRoomIsOpenAndTokensAreIgnored() {
        RoomAccess open = new RoomAccess(null, false);
        assertFalse(open.tokensEnabled());
        RoomAccess.Caller caller = open.identify("not even a token");
        assertEquals(RoomAccess.Caller.ANONYMOUS, caller);
        assertEquals(200, status(open, caller, "private-anything", false));
        assertEquals(200, status(open, caller, "private-anything", true));
    }

    @Test
    void privateRoomsNeedATokenThatAllowsThemOthersStayOpen() {
        RoomAccess access = access(false);
        RoomAccess.Caller anonymous = RoomAccess.Caller.ANONYMOUS;
        RoomAccess.Caller ann = new RoomAccess.Caller(ANN, null);
        assertEquals(200, status(access, anonymous, "general", false));
        assertEquals(200, status(access, anonymous, "general", true));
        assertEquals(401, status(access, anonymous, "private-ann", false));
        assertEquals(401, status(access, anonymous, "private-ann", true));
        assertEquals(200, status(access, ann, "private-ann", true));
        assertEquals(200, status(access, ann, "private-ann-and-bob", false), "a prefix in rooms");
        assertEquals(403, status(access, ann, "private-ann-and-bob", true), "publish is narrower");
        assertEquals(403, status(access, ann, "private-bob", false));
        assertEquals(403, status(access, ann, "lobby", false), "with a token, the token's rooms; also in an open room");
        assertEquals(1, access.refusals(RoomAccess.Reason.MISSING) / 2, "counted: " + access.refusals(RoomAccess.Reason.MISSING));
        assertEquals(3, access.refusals(RoomAccess.Reason.FORBIDDEN));
    }

    @Test
    void requiredMakesEveryRoomNeedOne() {
        RoomAccess access = access(true);
        assertTrue(access.tokensRequired());
        assertEquals(401, status(access, RoomAccess.Caller.ANONYMOUS, "general", false));
        assertEquals(200, status(access, new RoomAccess.Caller(ANN, null), "general", false));
    }

    @Test
    void aBadTokenIsRefusedEvenWhereNoneIsNeeded() {
        RoomAccess access = access(false);
        RoomAccess.Caller bad = access.identify("a.b.c");
        assertEquals(401, status(access, bad, "general", false));
        assertEquals(RoomAccess.Reason.MALFORMED, access.checkToken(bad).orElseThrow().reason());
        assertTrue(access.checkToken(RoomAccess.Caller.ANONYMOUS).isEmpty());
        assertEquals(2, access.refusals(RoomAccess.Reason.MALFORMED));
    }
}
