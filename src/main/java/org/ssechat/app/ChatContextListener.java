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

/** Starts sse-chat when the container deploys the WAR and stops it, completely, on undeploy. */
@WebListener
public final class ChatContextListener implements ServletContextListener {

    private static final Logger LOG = Logger.getLogger(ChatContextListener.class.getName());

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        try {
            ChatConfig config = ChatConfig.load(SettingSource.of(context::getInitParameter));
            ChatApplication app = new ChatApplication(config, Clock.systemUTC(), context.getServerInfo());
            context.setAttribute(ChatApplication.ATTRIBUTE, app);
            LOG.info(() -> "sse-chat started at '" + context.getContextPath() + "/' with the "
                    + app.broker().name() + " broker, at most " + app.admission().maxStreams() + " streams; settings "
                    + config.describe());
        } catch (ConfigException e) {
            // Failing the deployment is clearer than serving with a setting the operator did not mean.
            LOG.log(Level.SEVERE, "sse-chat cannot start: " + e.getMessage());
            throw e;
        }
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        Object app = event.getServletContext().getAttribute(ChatApplication.ATTRIBUTE);
        if (app instanceof ChatApplication chat) {
            event.getServletContext().removeAttribute(ChatApplication.ATTRIBUTE);
            chat.close();
            LOG.info("sse-chat stopped");
        }
    }
}
