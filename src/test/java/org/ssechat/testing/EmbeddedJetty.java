package org.ssechat.testing;

import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jetty.ee10.annotations.AnnotationConfiguration;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;

/**
 * The WAR in embedded Jetty 12 (ee10), with annotation scanning, so the WAR's
 * {@code @WebServlet}, {@code @WebFilter} and {@code @WebListener} classes are deployed.
 *
 * <p>Jetty 12 ee10 has no per-server or per-connector default async timeout. The only setting
 * is the system property {@value #DEFAULT_ASYNC_TIMEOUT_PROPERTY} (milliseconds, default 30000),
 * which {@code ServletChannelState} reads once, into a static final field, when the class is
 * first loaded: it holds for every Jetty in the JVM and cannot change afterwards. The failsafe
 * configuration sets it to {@link WarServer#ASYNC_TIMEOUT_MILLIS}; when a test runs without it
 * (from an IDE, say), it is set here before the first Jetty starts.
 * {@link WarServer#defaultAsyncTimeoutMillis()} tells what is in effect.
 */
final class EmbeddedJetty implements WarServer {

    static final String DEFAULT_ASYNC_TIMEOUT_PROPERTY = "org.eclipse.jetty.ee10.servlet.ServletChannelState.DEFAULT_TIMEOUT";

    private final Server server;
    private final URI base;

    private EmbeddedJetty(Server server, URI base) {
        this.server = server;
        this.base = base;
    }

    static EmbeddedJetty start(Path war, String contextPath, Map<String, String> settings) throws Exception {
        System.getProperties().putIfAbsent(DEFAULT_ASYNC_TIMEOUT_PROPERTY, String.valueOf(ASYNC_TIMEOUT_MILLIS));
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);

        WebAppContext webapp = new WebAppContext();
        webapp.setContextPath(contextPath);
        webapp.setWar(war.toAbsolutePath().toString());
        // Named, not left to discovery, so a missing jetty-ee10-annotations fails the build
        // instead of deploying a WAR whose servlets all answer 404.
        webapp.addConfiguration(new AnnotationConfiguration());
        File tmp = Files.createTempDirectory(Path.of("target"), "jetty-").toFile();
        webapp.setTempDirectory(tmp);
        settings.forEach(webapp::setInitParameter);
        // A failed deployment must fail the test, not leave a server answering 503.
        webapp.setThrowUnavailableOnStartupException(true);

        ServletContextHandler probe = new ServletContextHandler(AsyncTimeoutProbe.CONTEXT_PATH);
        probe.addServlet(new AsyncTimeoutProbe(), AsyncTimeoutProbe.SERVLET_PATH).setAsyncSupported(true);

        server.setHandler(new ContextHandlerCollection(webapp, probe));
        // No graceful phase: Jetty would first wait for in-flight requests, and an SSE stream
        // ends only when the context is destroyed, which comes after that wait.
        server.setStopTimeout(0);
        server.start();
        return new EmbeddedJetty(server, WarServer.base(connector.getLocalPort(), contextPath));
    }

    @Override
    public String name() {
        return "Jetty";
    }

    @Override
    public URI base() {
        return base;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
