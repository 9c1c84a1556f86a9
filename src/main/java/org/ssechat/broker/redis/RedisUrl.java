package org.ssechat.broker.redis;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.HostAndPort;

/**
 * Where Redis is, from {@code REDIS_URL}: one server ({@code redis://}, {@code rediss://} for
 * TLS, as Jedis reads them); a primary found through Sentinel, in the form Lettuce uses:
 * {@code redis-sentinel://[user:password@]host:port[,host:port...][/db]#masterName}
 * ({@code rediss-sentinel://} for TLS); or a Redis Cluster, found from any of its nodes:
 * {@code redis-cluster://[user:password@]host:port[,host:port...]} ({@code rediss-cluster://}).
 * The user and password are the data nodes'; sentinels are asked without them.
 *
 * @param nodes the sentinels to ask, or the cluster nodes to start from; empty for one server
 * @param masterName the name the sentinels monitor the primary by; null unless Sentinel
 * @param cluster whether the nodes are a Redis Cluster's
 */
public record RedisUrl(URI uri, boolean tls, List<HostAndPort> nodes, String masterName, boolean cluster, String user,
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
                return new RedisUrl(uri, scheme.equals("rediss"), List.of(), null, false, null, null, -1);
            }
            case "redis-sentinel", "rediss-sentinel" -> {
                return nodes(uri, scheme.equals("rediss-sentinel"), false);
            }
            case "redis-cluster", "rediss-cluster" -> {
                return nodes(uri, scheme.equals("rediss-cluster"), true);
            }
            default -> throw new IllegalArgumentException("the scheme must be redis, rediss, redis-sentinel,"
                    + " rediss-sentinel, redis-cluster or rediss-cluster");
        }
    }

    /** A URL with a list of nodes: sentinels, or the nodes of a cluster. */
    private static RedisUrl nodes(URI uri, boolean tls, boolean cluster) {
        String what = cluster ? "cluster node" : "sentinel";
        String authority = uri.getRawAuthority();
        if (authority == null || authority.isEmpty()) {
            throw new IllegalArgumentException("no " + what + " host:port");
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
        List<HostAndPort> nodes = new ArrayList<>();
        for (String node : authority.split(",")) {
            int colon = node.lastIndexOf(':');
            if (colon <= 0 || colon == node.length() - 1) {
                throw new IllegalArgumentException("each " + what + " is host:port");
            }
            try {
                nodes.add(new HostAndPort(node.substring(0, colon), Integer.parseInt(node.substring(colon + 1))));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("each " + what + " is host:port");
            }
        }
        if (cluster) {
            // A cluster has one database, 0, and no primary's name.
            if (uri.getFragment() != null || (uri.getPath() != null && uri.getPath().length() > 1)) {
                throw new IllegalArgumentException("a cluster URL has no /database and no #name");
            }
            return new RedisUrl(uri, tls, List.copyOf(nodes), null, true, user, password, -1);
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
        return new RedisUrl(uri, tls, List.copyOf(nodes), master, false, user, password, database);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    public boolean isSentinel() {
        return masterName != null;
    }

    /** Whether the user, password and database come from this record rather than from Jedis's reading of the URI. */
    boolean hasNodeList() {
        return !nodes.isEmpty();
    }
}
