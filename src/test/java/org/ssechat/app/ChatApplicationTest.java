package org.ssechat.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.ssechat.config.ChatConfig;
import org.ssechat.config.ConfigException;
import org.ssechat.config.SettingSource;
import org.ssechat.sse.container.ServletContainer;

/** The composition root: what it registers, and a start that a setting refuses. */
class ChatApplicationTest {

    private static ChatConfig config(Map<String, String> settings) {
        return ChatConfig.load(SettingSource.ofMap(settings));
    }

    private static Set<Thread> sseChatThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("sse-chat") && thread.isAlive())
                .collect(Collectors.toSet());
    }

    @Test
    void aStartThatASettingRefusesLeavesNoThreadBehind() {
        Set<Thread> before = sseChatThreads();
        assertThrows(ConfigException.class, () -> new ChatApplication(config(Map.of("CHAT_AUTH", "required")),
                Clock.systemUTC(), ServletContainer.of(ServletContainer.Kind.OTHER)));
        Set<Thread> started = sseChatThreads();
        started.removeAll(before);
        assertEquals(Set.of(), started, "threads a refused start left running");
    }

    /** One registration, as the container would record it. */
    private record Registered(String name, Class<?> type, String mapping, boolean async) {
    }


    @Test
    void presenceWakesFurtherApartThanAThirdOfItsTimeToLiveAreRefusedAtTheStart() {
        ConfigException refused = assertThrows(ConfigException.class, () -> new ChatApplication(config(Map.of(
                "CHAT_PRESENCE_TTL_SECONDS", "3", "CHAT_PRESENCE_INTERVAL_MILLIS", "1500")), Clock.systemUTC(),
                ServletContainer.of(ServletContainer.Kind.OTHER)));
        assertTrue(refused.getMessage().contains("CHAT_PRESENCE_INTERVAL_MILLIS"), refused.getMessage());
    }
    @Test
    void registersEachEntranceAtItsPathWithTheAsyncSupportItNeedsAndTheFiltersInOrder() {
        ServletContext context = mock(ServletContext.class);
        List<Registered> servlets = new ArrayList<>();
        List<Registered> filters = new ArrayList<>();
        when(context.addServlet(anyString(), any(Servlet.class))).thenAnswer(call -> {
            ServletRegistration.Dynamic registration = mock(ServletRegistration.Dynamic.class);
            boolean[] async = new boolean[1];
            org.mockito.Mockito.doAnswer(set -> async[0] = set.getArgument(0)).when(registration)
                    .setAsyncSupported(org.mockito.ArgumentMatchers.anyBoolean());
            when(registration.addMapping(any(String[].class))).thenAnswer(map -> {
                servlets.add(new Registered(call.getArgument(0), call.getArgument(1).getClass(), map.getArgument(0),
                        async[0]));
                return Set.of();
            });
            return registration;
        });
        when(context.addFilter(anyString(), any(Filter.class))).thenAnswer(call -> {
            FilterRegistration.Dynamic registration = mock(FilterRegistration.Dynamic.class);
            boolean[] async = new boolean[1];
            org.mockito.Mockito.doAnswer(set -> async[0] = set.getArgument(0)).when(registration)
                    .setAsyncSupported(org.mockito.ArgumentMatchers.anyBoolean());
            org.mockito.Mockito.doAnswer(map -> {
                assertEquals(EnumSet.of(DispatcherType.REQUEST), map.getArgument(0));
                assertEquals(true, map.getArgument(1), "after the filters a web.xml declares");
                filters.add(new Registered(call.getArgument(0), call.getArgument(1).getClass(), map.getArgument(2),
                        async[0]));
                return null;
            }).when(registration).addMappingForUrlPatterns(any(), org.mockito.ArgumentMatchers.anyBoolean(),
                    any(String[].class));
            return registration;
        });
        try (ChatApplication app = new ChatApplication(config(Map.of()), Clock.systemUTC(),
                ServletContainer.of(ServletContainer.Kind.OTHER))) {
            app.register(context);
        }
        assertEquals(List.of(
                "security-headers SecurityHeadersFilter /* async",
                "cors CorsFilter /* async"), describe(filters));
        assertEquals(List.of(
                "chat-stream ChatStreamServlet /sse async",
                "chat-history HistoryServlet /history",
                "chat-publish ChatPublishServlet /chat async",
                "typing ChatPublishServlet /typing async",
                "presence PresenceServlet /presence",
                "time-stream TimeServlet /time async",
                "health HealthServlet /health async",
                "metrics MetricsServlet /metrics",
                "identity IdentityServlet /me"), describe(servlets));
    }

    private static List<String> describe(List<Registered> registered) {
        return registered.stream().map(r -> r.name() + " " + r.type().getSimpleName() + " " + r.mapping()
                + (r.async() ? " async" : "")).toList();
    }
}
