package org.ssechat.testing;

import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The WAR in embedded Jetty 12 (ee10). Annotations are found because jetty-ee10-annotations is
 * on the class path (its configuration is discovered). Jetty reads its default async timeout
 * once, from the system property {@code org.eclipse.jetty.ee10.servlet.ServletChannelState.DEFAULT_TIMEOUT};
 * the failsafe configuration sets it to {@link WarServer#ASYNC_TIMEOUT_MILLIS}.
 */
final class EmbeddedJetty implements WarServer {

    private final Server server;
    private final URI base;

    private EmbeddedJetty(Server server, URI base) {
        this.server = server;
        this.base = base;
    }

    static EmbeddedJetty start(Path war, String contextPath, Map<String, String> settings) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);

        WebAppContext webapp = new WebAppContext();
        webapp.setContextPath(contextPath);
        webapp.setWar(war.toAbsolutePath().toString());
        File tmp = Files.createTempDirectory(Path.of("target"), "jetty-").toFile();
        webapp.setTempDirectory(tmp);
        settings.forEach(webapp::setInitParameter);
        // A failed deployment must fail the test, not leave a server answering 503.
        webapp.setThrowUnavailableOnStartupException(true);
        server.setHandler(webapp);
        // No graceful phase: Jetty would first wait for in-flight requests, and an SSE stream
        // ends only when the context is destroyed, which comes after that wait.
        server.setStopTimeout(0);
        server.start();
        return new EmbeddedJetty(server, URI.create("http://127.0.0.1:" + connector.getLocalPort()
                + (contextPath.endsWith("/") ? contextPath : contextPath + "/")));
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
