package org.ssechat.http;

import jakarta.servlet.http.HttpServletRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The key a client is rate-limited by: its address, or with {@code CHAT_TRUST_X_FORWARDED_FOR}
 * (for a server behind a proxy) the address the proxy appended last to {@code X-Forwarded-For};
 * earlier entries are the client's own claims. An IPv6 address counts by its /64 network, the
 * block one subscriber typically gets, so that a client cannot dodge the limit by hopping
 * addresses inside it.
 */
public final class ClientAddress {

    private final boolean trustForwardedFor;

    public ClientAddress(boolean trustForwardedFor) {
        this.trustForwardedFor = trustForwardedFor;
    }

    public String of(HttpServletRequest req) {
        String address = req.getRemoteAddr();
        if (trustForwardedFor) {
            String forwarded = req.getHeader("X-Forwarded-For");
            if (forwarded != null && !forwarded.isBlank()) {
                String[] hops = forwarded.split(",");
                address = hops[hops.length - 1].strip();
            }
        }
        return key(address);
    }

    static String key(String address) {
        if (address == null || address.indexOf(':') < 0) {
            return address; // IPv4, or whatever a proxy wrote: used as it is
        }
        try {
            String literal = address.startsWith("[") ? address.substring(1, address.indexOf(']')) : address;
            // Only a literal (hex digits, ':', '.', a zone) goes on, so this never looks up a name.
            if (!literal.matches("[0-9A-Fa-f:.]+(%[A-Za-z0-9]+)?")) {
                return address;
            }
            byte[] bytes = InetAddress.getByName(literal).getAddress();
            if (bytes.length != 16) {
                return literal;
            }
            StringBuilder network = new StringBuilder();
            for (int i = 0; i < 8; i += 2) {
                network.append(String.format("%02x%02x:", bytes[i], bytes[i + 1]));
            }
            return network.append(":/64").toString();
        } catch (UnknownHostException | StringIndexOutOfBoundsException e) {
            return address;
        }
    }
}
