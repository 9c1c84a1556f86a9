package org.ssechat.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;

class ClientAddressTest {

    private static HttpServletRequest request(String remote, String forwardedFor) {
        HttpServletRequest req = mock(HttpServletRequest.class);
        when(req.getRemoteAddr()).thenReturn(remote);
        when(req.getHeader("X-Forwarded-For")).thenReturn(forwardedFor);
        return req;
    }

    @Test
    void forwardedForIsIgnoredUnlessTrusted() {
        assertEquals("10.0.0.1", new ClientAddress(false).of(request("10.0.0.1", "203.0.113.9")));
    }

    @Test
    void aTrustedProxysLastHopIsTheClient() {
        ClientAddress address = new ClientAddress(true);
        assertEquals("203.0.113.9", address.of(request("10.0.0.1", "1.2.3.4, 203.0.113.9")));
        assertEquals("10.0.0.1", address.of(request("10.0.0.1", null)));
    }

    @Test
    void ipv6AddressesCountByTheirSlash64() {
        assertEquals("2001:0db8:0001:0002::/64", ClientAddress.key("2001:db8:1:2:aaaa::1"));
        assertEquals("2001:0db8:0001:0002::/64", ClientAddress.key("[2001:db8:1:2:bbbb::2]"));
        assertEquals("not:an-address", ClientAddress.key("not:an-address"));
        assertEquals("192.0.2.1", ClientAddress.key("192.0.2.1"));
    }
}
