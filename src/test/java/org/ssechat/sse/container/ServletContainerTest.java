package org.ssechat.sse.container;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.ssechat.sse.container.ServletContainer.Kind;

/**
 * The container is known by its servlet context's class, which an operator's server name does
 * not change, else by that name. The real ones: JettyChatServerIT and TomcatChatServerIT
 * (embedded), StockContainersIT (as their users run them).
 */
class ServletContainerTest {

    private static final String JETTY_CONTEXT = "org.eclipse.jetty.ee10.servlet.ServletContextHandler$ServletContextApi";
    private static final String TOMCAT_CONTEXT = "org.apache.catalina.core.ApplicationContextFacade";

    @Test
    void jettyAndTomcatAreKnownByTheirContextsEvenUnderAnotherName() {
        assertEquals(Kind.JETTY, ServletContainer.detect(JETTY_CONTEXT, "jetty/12.0.31"));
        assertEquals(Kind.JETTY, ServletContainer.detect(JETTY_CONTEXT, "chat-server"));
        assertEquals(Kind.TOMCAT, ServletContainer.detect(TOMCAT_CONTEXT, "Apache Tomcat/10.1.60"));
        assertEquals(Kind.TOMCAT, ServletContainer.detect(TOMCAT_CONTEXT, "chat-server"));
    }

    @Test
    void aContextOfAnotherClassIsKnownByTheServersName() {
        assertEquals(Kind.JETTY, ServletContainer.detect("com.example.WrappedContext", "jetty/12.0.31"));
        assertEquals(Kind.TOMCAT, ServletContainer.detect("com.example.WrappedContext", "Apache Tomcat/11.0.25"));
    }

    @Test
    void anyOtherContainerIsServedTheServletApisWay() {
        assertEquals(Kind.OTHER, ServletContainer.detect("org.wildfly.ServletContextImpl", "WildFly Full 35"));
        assertEquals(Kind.OTHER, ServletContainer.detect("org.wildfly.ServletContextImpl", null));
    }
}
