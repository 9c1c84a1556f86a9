package org.ssechat.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChatConfigTest {

    @Test
    void theTableHoldsEveryRowOnceInTheOrderTheyAreDeclared() throws Exception {
        List<Object> declared = new ArrayList<>();
        for (Field field : ChatConfig.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == Setting.class) {
                declared.add(field.get(null));
            }
        }
        assertEquals(declared, List.copyOf(ChatConfig.SETTINGS));
    }

    @Test
    void everySettingHasADefault() {
        ChatConfig config = ChatConfig.load(SettingSource.ofMap(Map.of()));
        assertEquals(15, config.heartbeatSeconds());
        assertEquals(3000, config.retryMillis());
        assertEquals(2000, config.maxTextLength());
        assertEquals(32, config.maxUserLength());
        assertEquals(16 * 1024, config.maxBodyBytes());
        assertEquals(1024 * 1024, config.clientBufferBytes());
        assertEquals(0, config.maxClients(), "unset: the application derives it from the heap");
        assertTrue(config.redisUrl().isEmpty());
        assertEquals("chat", config.channel());
        assertEquals(1000, config.historySize());
        assertEquals(7 * 24 * 3600, config.historyTtlSeconds());
        assertEquals(100, config.maxStreamsPerAddress());
        assertEquals(10, config.bodyTimeoutSeconds());
        assertTrue(config.jwtSecret().isEmpty() && config.jwtPublicKey().isEmpty(), "no keys: no tokens");
        assertEquals(30, config.jwtClockSkewSeconds());
        assertFalse(config.authRequired());
        assertEquals(List.of(), config.allowedOrigins(), "same origin only");
    }

    @Test
    void authIsOpenOrRequiredAndNothingElse() {
        assertTrue(ChatConfig.load(SettingSource.ofMap(Map.of("CHAT_AUTH", "Required"))).authRequired());
        assertFalse(ChatConfig.load(SettingSource.ofMap(Map.of("CHAT_AUTH", "open"))).authRequired());
        ConfigException e = assertThrows(ConfigException.class,
                () -> ChatConfig.load(SettingSource.ofMap(Map.of("CHAT_AUTH", "tokens"))));
        assertTrue(e.getMessage().contains("open or required"), e.getMessage());
    }

    @Test
    void allowedOriginsAreExactOriginsAndNeverAStar() {
        assertEquals(List.of("https://app.example.com", "http://localhost:3000", "http://[::1]:8080"),
                ChatConfig.load(SettingSource.ofMap(Map.of("CHAT_ALLOWED_ORIGINS",
                        "https://app.example.com, http://localhost:3000,http://[::1]:8080"))).allowedOrigins());
        for (String bad : List.of("*", "https://app.example.com/", "app.example.com", "https://a.example.com/path",
                "ftp://a.example.com", "https://a.example.com,*")) {
            assertThrows(ConfigException.class,
                    () -> ChatConfig.load(SettingSource.ofMap(Map.of("CHAT_ALLOWED_ORIGINS", bad))), bad);
        }
    }

    @Test
    void theDescriptionNeverShowsTheTokenSecret() {
        ChatConfig config = ChatConfig.load(SettingSource.ofMap(Map.of("CHAT_JWT_SECRET", "0123456789abcdef0123456789abcdef")));
        assertFalse(config.describe().toString().contains("0123456789abcdef"));
        assertEquals("(set)", config.describe().get("CHAT_JWT_SECRET"));
    }

    @Test
    void theMemoryBoundsFollowTheHeap() {
        ChatConfig config = ChatConfig.load(SettingSource.ofMap(Map.of()));
        long heap = Runtime.getRuntime().maxMemory();
        assertEquals(Math.max(16L << 20, Math.min(1L << 30, heap / 8)), config.historyMaxBytes());
        assertEquals(Math.max(1L << 20, Math.min(32L << 20, heap / 16)), config.redisQueueBytes());
        assertTrue(config.historyMaxBytes() <= Math.max(16L << 20, heap / 8), "the history fits the heap");
    }

    @Test
    void valuesAreReadAndTrimmed() {
        ChatConfig config = ChatConfig.load(SettingSource.ofMap(Map.of(
                "CHAT_HEARTBEAT_SECONDS", " 2 ", "REDIS_URL", "redis://localhost:6390/1", "CHAT_CHANNEL", "room-bus")));
        assertEquals(2, config.heartbeatSeconds());
        assertEquals("localhost", config.redisUrl().orElseThrow().getHost());
        assertEquals("room-bus", config.channel());
    }

    @Test
    void theMostSpecificSourceWins() {
        SettingSource source = new SettingSource(
                name -> name.equals("A") ? "context" : null,
                name -> name.equals("A") || name.equals("B") ? "property" : null,
                name -> "environment");
        assertEquals("context", source.get("A").orElseThrow().value());
        assertEquals("property", source.get("B").orElseThrow().value());
        assertEquals("environment", source.get("C").orElseThrow().value());
        assertEquals("environment variable", source.get("C").orElseThrow().origin());
    }

    @Test
    void aBlankValueCountsAsUnset() {
        SettingSource source = new SettingSource(name -> " ", name -> null, name -> "5");
        assertEquals("5", source.get("X").orElseThrow().value());
    }

    @Test
    void anInvalidNumberStopsStartupWithAClearMessage() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ChatConfig.load(SettingSource.ofMap(Map.of("CHAT_HEARTBEAT_SECONDS", "soon"))));
        assertEquals("Invalid setting CHAT_HEARTBEAT_SECONDS='soon' (from context parameter): "
                + "expected a whole number from 1 to 3600", e.getMessage());
        assertThrows(ConfigException.class,
                () -> ChatConfig.load(SettingSource.ofMap(Map.of("CHAT_MAX_CLIENTS", "0"))));
    }

    @Test
    void aBadRedisUrlIsRefusedWithoutShowingItsPassword() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ChatConfig.load(SettingSource.ofMap(Map.of("REDIS_URL", "http://:secret@host:6379"))));
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
        assertThrows(ConfigException.class,
                () -> ChatConfig.load(SettingSource.ofMap(Map.of("REDIS_URL", "localhost:6379"))));
    }

    @Test
    void flagsAcceptTheUsualWordsAndNothingElse() {
        assertTrue(ChatConfig.load(SettingSource.ofMap(Map.of("CHAT_TRUST_X_FORWARDED_FOR", "yes"))).trustForwardedFor());
        assertFalse(ChatConfig.load(SettingSource.ofMap(Map.of("CHAT_TRUST_X_FORWARDED_FOR", "OFF"))).trustForwardedFor());
        assertThrows(ConfigException.class,
                () -> ChatConfig.load(SettingSource.ofMap(Map.of("CHAT_TRUST_X_FORWARDED_FOR", "maybe"))));
    }

    @Test
    void theDescriptionNeverShowsThePublishToken() {
        ChatConfig config = ChatConfig.load(SettingSource.ofMap(Map.of("CHAT_PUBLISH_TOKEN", "s3cret")));
        assertEquals("s3cret", config.publishToken().orElseThrow());
        assertFalse(config.describe().toString().contains("s3cret"));
    }

    @Test
    void theDescriptionHidesTheRedisPassword() {
        ChatConfig config = ChatConfig.load(SettingSource.ofMap(Map.of("REDIS_URL", "redis://user:secret@host:6379")));
        assertEquals("redis://***@host:6379", config.describe().get("REDIS_URL"));
    }
}
