package org.ssechat.testing;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.servlets.DefaultServlet;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.scan.StandardJarScanner;

/**
 * The WAR in embedded Tomcat 10.1 (tomcat-embed-core only, so no JSP), with the connector's
 * default async timeout ({@code Connector.setAsyncTimeout}, which every request on it starts
 * with) made short: {@link WarServer#ASYNC_TIMEOUT_MILLIS}.
 */
final class EmbeddedTomcat implements WarServer {

    private final Tomcat tomcat;
    private final URI base;

    private EmbeddedTomcat(Tomcat tomcat, URI base) {
        this.tomcat = tomcat;
        this.base = base;
    }

    static EmbeddedTomcat start(Path war, String contextPath, Map<String, String> settings) throws Exception {
        Path baseDir = Files.createTempDirectory(Path.of("target"), "tomcat-").toAbsolutePath();
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connector.setAsyncTimeout(ASYNC_TIMEOUT_MILLIS);
        tomcat.setConnector(connector);
        tomcat.getHost().setAppBase(Files.createDirectories(baseDir.resolve("webapps")).toString());
        // No default web.xml: it declares the JSP servlet, and tomcat-embed-core has no Jasper.
        tomcat.setAddDefaultWebXmlToWebapp(false);
        Context context = tomcat.addWebapp(contextPath.equals("/") ? "" : contextPath, war.toAbsolutePath().toString());
        // What Tomcat's default web.xml would add, less JSP: static files, MIME types, index.html.
        Wrapper files = Tomcat.addServlet(context, "default", new DefaultServlet());
        files.setLoadOnStartup(1);
        context.addServletMappingDecoded("/", "default");
        Tomcat.addDefaultMimeTypeMappings(context);
        context.addWelcomeFile("index.html");
        // Only the WAR is scanned for annotations, not the test class path.
        ((StandardJarScanner) context.getJarScanner()).setScanClassPath(false);
        settings.forEach(context::addParameter);

        Context probe = tomcat.addContext(AsyncTimeoutProbe.CONTEXT_PATH, null);
        Wrapper probeServlet = Tomcat.addServlet(probe, "async-timeout", new AsyncTimeoutProbe());
        probeServlet.setAsyncSupported(true);
        probe.addServletMappingDecoded(AsyncTimeoutProbe.SERVLET_PATH, "async-timeout");

        tomcat.start();
        if (context.getState() != LifecycleState.STARTED) {
            tomcat.stop();
            tomcat.destroy();
            throw new IllegalStateException("sse-chat did not start in Tomcat; see the log above");
        }
        return new EmbeddedTomcat(tomcat, WarServer.base(connector.getLocalPort(), contextPath));
    }

    @Override
    public String name() {
        return "Tomcat";
    }

    @Override
    public URI base() {
        return base;
    }

    @Override
    public void close() throws Exception {
        tomcat.stop();
        tomcat.destroy();
    }
}
