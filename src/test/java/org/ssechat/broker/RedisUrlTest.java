package org.ssechat.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.HostAndPort;

class RedisUrlTest {

    @Test
    void oneServerAsJedisReadsIt() {
        RedisUrl url = RedisUrl.parse("rediss://:pw@cache.example.com:6380/2");
        assertFalse(url.isSentinel());
        assertTrue(url.tls());
        assertEquals("cache.example.com", url.uri().getHost());
    }

    @Test
    void sentinelsTheirPrimarysNameAndTheDataNodesCredentials() {
        RedisUrl url = RedisUrl.parse("redis-sentinel://app:p%40ss@10.0.0.1:26379,10.0.0.2:26380,sentinel-3:26381/3#orders");
        assertTrue(url.isSentinel());
        assertFalse(url.tls());
        assertEquals(List.of(new HostAndPort("10.0.0.1", 26379), new HostAndPort("10.0.0.2", 26380),
                new HostAndPort("sentinel-3", 26381)), url.sentinels());
        assertEquals("orders", url.masterName());
        assertEquals("app", url.user());
        assertEquals("p@ss", url.password(), "percent-decoded");
        assertEquals(3, url.database());
        RedisUrl bare = RedisUrl.parse("rediss-sentinel://127.0.0.1:26379#mymaster");
        assertTrue(bare.tls());
        assertNull(bare.user());
        assertNull(bare.password());
        assertEquals(-1, bare.database());
        assertEquals("secret", RedisUrl.parse("redis-sentinel://secret@h:1#m").password(), "a password alone, as Lettuce reads it");
    }

    @Test
    void whatIsWrongIsSaidAndNoPasswordEchoed() {
        for (String bad : List.of("redis-sentinel://h:26379", "redis-sentinel://h#m", "redis-sentinel://h:x#m",
                "redis-sentinel://#m", "redis-sentinel://h:1/zero#m", "http://h:1", "redis://", "nonsense")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RedisUrl.parse(bad), bad);
            assertFalse(e.getMessage().contains("pw"), e.getMessage());
        }
    }
}
