package org.ssechat.app;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.time.Clock;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ssechat.config.ChatConfig;
import org.ssechat.config.ConfigException;
import org.ssechat.config.SettingSource;
import org.ssechat.sse.container.ServletContainer;

/**
 * Starts sse-chat when the container deploys the WAR, registering its servlets and filters,
 * and stops it, completely, on undeploy. The container makes one listener per deployment.
 */
@WebListener
public final class ChatContextListener implements ServletContextListener {

    private static final Logger LOG = Logger.getLogger(ChatContextListener.class.getName());

    private volatile ChatApplication app;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        try {
            ChatConfig config = ChatConfig.load(SettingSource.of(context::getInitParameter));
            ChatApplication started = new ChatApplication(config, Clock.systemUTC(),
                    ServletContainer.of(context));
            try {
                started.register(context);
            } catch (RuntimeException e) {
                started.close();
                throw e;
            }
            app = started;
            LOG.info(() -> "sse-chat started at '" + context.getContextPath() + "/' with " + started.describe()
                    + "; settings " + config.describe());
        } catch (ConfigException e) {
            // Failing the deployment is clearer than serving with a setting the operator did not mean.
            LOG.log(Level.SEVERE, "sse-chat cannot start: " + e.getMessage());
            throw e;
        }
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        ChatApplication stopping = app;
        if (stopping != null) {
            app = null;
            stopping.close();
            LOG.info("sse-chat stopped");
        }
    }
}
