package org.ssechat.broker;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.HostAndPort;

/**
 * Where Redis is, from {@code REDIS_URL}: one server ({@code redis://}, {@code rediss://} for
 * TLS, as Jedis reads them), or a primary found through Sentinel, in the form Lettuce uses:
 * {@code redis-sentinel://[user:password@]host:port[,host:port...][/db]#masterName}
 * ({@code rediss-sentinel://} for TLS). The user and password are the data nodes'; the sentinels
 * are asked without them.
 *
 * @param sentinels the sentinels to ask, for a Sentinel URL; empty otherwise
 * @param masterName the name the sentinels monitor the primary by; null for one server
 */
public record RedisUrl(URI uri, boolean tls, List<HostAndPort> sentinels, String masterName, String user,
        String password, int database) {

    /** @throws IllegalArgumentException saying what is wrong (never echoing a password) */
    public static RedisUrl parse(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (Exception e) {
            throw new IllegalArgumentException("not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        switch (scheme) {
            case "redis", "rediss" -> {
                if (uri.getHost() == null) {
                    throw new IllegalArgumentException("no host");
                }
                return new RedisUrl(uri, scheme.equals("rediss"), List.of(), null, null, null, -1);
            }
            case "redis-sentinel", "rediss-sentinel" -> {
                return sentinel(uri, scheme.equals("rediss-sentinel"));
            }
            default -> throw new IllegalArgumentException("the scheme must be redis, rediss, redis-sentinel or rediss-sentinel");
        }
    }

    private static RedisUrl sentinel(URI uri, boolean tls) {
        String authority = uri.getRawAuthority();
        if (authority == null || authority.isEmpty()) {
            throw new IllegalArgumentException("no sentinel host:port");
        }
        String user = null;
        String password = null;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String info = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = info.indexOf(':');
            user = decode(colon < 0 ? info : info.substring(0, colon));
            password = colon < 0 ? null : decode(info.substring(colon + 1));
            if (colon < 0) { // redis-sentinel://password@host:port, as Lettuce reads it
                password = user;
                user = null;
            }
            user = user == null || user.isEmpty() ? null : user;
        }
        List<HostAndPort> sentinels = new ArrayList<>();
        for (String node : authority.split(",")) {
            int colon = node.lastIndexOf(':');
            if (colon <= 0 || colon == node.length() - 1) {
                throw new IllegalArgumentException("each sentinel is host:port");
            }
            try {
                sentinels.add(new HostAndPort(node.substring(0, colon), Integer.parseInt(node.substring(colon + 1))));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("each sentinel is host:port");
            }
        }
        String master = uri.getFragment();
        if (master == null || master.isBlank()) {
            throw new IllegalArgumentException("the primary's name goes after '#': ...#mymaster");
        }
        int database = -1;
        String path = uri.getPath();
        if (path != null && path.length() > 1) {
            try {
                database = Integer.parseInt(path.substring(1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("the path is a database number: /0");
            }
        }
        return new RedisUrl(uri, tls, List.copyOf(sentinels), master, user, password, database);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    public boolean isSentinel() {
        return masterName != null;
    }
}
