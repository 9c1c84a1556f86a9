package org.ssechat.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.ssechat.auth.RoomAccess;
import org.ssechat.auth.TokenCarrier;
import org.ssechat.auth.TokenKeys;
import org.ssechat.auth.TokenVerifier;
import org.ssechat.http.ClientAddress;

/** What the head of a POST /chat allows, checked with no container and no body. */
class PublishHeadTest {

    private final HttpServletRequest req = mock(HttpServletRequest.class);
    private final HttpServletResponse resp = mock(HttpServletResponse.class);
    private final RoomAccess tokens = new RoomAccess(new TokenVerifier(TokenKeys.from(
            Optional.of("0123456789abcdef0123456789abcdef"), Optional.empty()).orElseThrow(), Duration.ofSeconds(30),
            name -> null, Clock.systemUTC()), false);

    PublishHeadTest() {
        when(req.getRemoteAddr()).thenReturn("192.0.2.1");
        when(req.getContentType()).thenReturn("application/json");
        when(req.getContentLengthLong()).thenReturn(40L);
    }

    private static PublishHead head(RoomAccess access, RateLimiter limiter, String secret) {
        return new PublishHead(access, new PublishRate(limiter, new ClientAddress(false)), new PublishToken(secret),
                new PublishBodyParser(16384), List.of());
    }

    private static PublishHead.Refused refused(PublishHead.Verdict verdict) {
        return assertInstanceOf(PublishHead.Refused.class, verdict);
    }

    @Test
    void aPlainJsonPostIsAcceptedFromNobodyInParticular() {
        PublishHead.Accepted accepted = assertInstanceOf(PublishHead.Accepted.class,
                head(tokens, null, null).check(req, resp));
        assertEquals(RoomAccess.Caller.ANONYMOUS, accepted.caller());
        assertEquals("application/json", accepted.mediaType());
    }

    @Test
    void aRetryKeyIsTheSendersAndAMalformedOneIsA400() {
        when(req.getHeader("Idempotency-Key")).thenReturn("\"k-1\"");
        when(req.getRemoteAddr()).thenReturn("10.0.0.7");
        PublishHead.Accepted accepted = assertInstanceOf(PublishHead.Accepted.class,
                head(tokens, null, null).check(req, resp));
        assertEquals("k-1", accepted.retryKey());
        assertEquals("10.0.0.7", accepted.sender());
        when(req.getHeader("Idempotency-Key")).thenReturn("has space");
        assertEquals(400, refused(head(tokens, null, null).check(req, resp)).status());
    }

    @Test
    void aSenderPastItsBurstIsA429ThatSaysWhenToComeBack() {
        PublishHead head = head(tokens, new RateLimiter(1, 1, 10, System::nanoTime), null);
        assertInstanceOf(PublishHead.Accepted.class, head.check(req, resp));
        assertEquals(429, refused(head.check(req, resp)).status());
        verify(resp).setHeader("Retry-After", "1");
    }

    @Test
    void aPublishSecretIsAskedForWhenMissing() {
        PublishHead.Refused refused = refused(head(tokens, null, "s3cret").check(req, resp));
        assertEquals(401, refused.status());
        verify(resp).setHeader("WWW-Authenticate", "Bearer realm=\"sse-chat\"");
        when(req.getHeader("Authorization")).thenReturn("Bearer s3cret");
        assertInstanceOf(PublishHead.Accepted.class, head(tokens, null, "s3cret").check(req, resp));
    }

    @Test
    void aTokenThatIsNotOneIsA401() {
        when(req.getHeader("Authorization")).thenReturn("Bearer not-a-jwt");
        assertEquals(401, refused(head(tokens, null, null).check(req, resp)).status());
    }

    @Test
    void theTokenCookieInAPostFromAnotherSiteIsRefused() {
        when(req.getCookies()).thenReturn(new Cookie[] {new Cookie(TokenCarrier.COOKIE, "x.y.z")});
        when(req.getHeader("Sec-Fetch-Site")).thenReturn("cross-site");
        assertEquals(403, refused(head(tokens, null, null).check(req, resp)).status());
    }

    @Test
    void aBadQueryAndAnotherContentTypeAreClientMistakes() {
        when(req.getQueryString()).thenReturn("room=%zz");
        assertEquals(400, refused(head(tokens, null, null).check(req, resp)).status());
        when(req.getQueryString()).thenReturn(null);
        when(req.getContentType()).thenReturn("text/plain");
        assertEquals(415, refused(head(tokens, null, null).check(req, resp)).status());
    }

    @Test
    void aDeclaredLengthPastTheLimitIsA413BeforeAnyByteIsRead() {
        when(req.getContentLengthLong()).thenReturn(16385L);
        assertEquals(413, refused(head(tokens, null, null).check(req, resp)).status());
    }
}
