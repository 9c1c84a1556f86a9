package org.ssechat.web;

import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ssechat.app.ChatApplication;
import org.ssechat.broker.BrokerUnavailableException;
import org.ssechat.chat.ChatMessage;
import org.ssechat.chat.ChatRequestException;
import org.ssechat.chat.MessageJson;
import org.ssechat.chat.PublishRequestReader;

/**
 * POST /chat: checks the sender's rate and the token (when one is set), reads and checks the
 * message, publishes it through the broker and answers {@code 202} with the message as
 * published. Every client mistake is a 4xx with {@code {"error": "..."}}.
 */
@WebServlet(name = "chat-publish", urlPatterns = "/chat", asyncSupported = true)
public final class ChatPublishServlet extends HttpServlet {

    private static final Logger LOG = Logger.getLogger(ChatPublishServlet.class.getName());
    private static final String ALLOW = "GET, HEAD, POST, OPTIONS";

    /** Every other method gets a JSON 405 instead of the container's HTML error page. */
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        switch (req.getMethod()) {
            case "GET", "HEAD", "POST", "OPTIONS" -> super.service(req, resp);
            default -> {
                resp.setHeader("Allow", ALLOW);
                refuse(req, resp, HttpServletResponse.SC_METHOD_NOT_ALLOWED,
                        req.getMethod() + " is not allowed here; POST a message");
            }
        }
    }

    /** The one way a request is refused: what is left of its body is dropped, then the JSON error. */
    private static void refuse(HttpServletRequest req, HttpServletResponse resp, int status, String message)
            throws IOException {
        PublishRequestReader.discardBody(req, resp);
        JsonResponses.error(resp, status, message);
    }

    /** A browser that lands on /chat is sent to the chat page. */
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.sendRedirect(req.getContextPath() + "/");
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        ChatApplication app = ChatApplication.from(getServletContext());
        // The rate limit comes first, so it also slows down anyone guessing the token.
        long retryAfter = app.rateLimit(req);
        if (retryAfter > 0) {
            resp.setHeader("Retry-After", String.valueOf(retryAfter));
            refuse(req, resp, 429, "too many messages; try again in " + retryAfter + " s");
            return;
        }
        if (!app.publishToken().permits(req.getHeader("Authorization"))) {
            resp.setHeader("WWW-Authenticate", "Bearer realm=\"sse-chat\"");
            refuse(req, resp, HttpServletResponse.SC_UNAUTHORIZED,
                    "publishing needs the header Authorization: Bearer <token>");
            return;
        }
        try {
            PublishRequestReader.Fields fields = app.publishReader().read(req);
            ChatMessage message = app.validator().validate(
                    fields.user(), fields.text(), fields.room(), app.clock().instant());
            ChatMessage published = app.broker().publish(message);
            app.metrics().published();
            JsonResponses.send(resp, HttpServletResponse.SC_ACCEPTED, MessageJson.toJson(published));
        } catch (ChatRequestException e) {
            refuse(req, resp, e.status(), e.getMessage());
        } catch (BrokerUnavailableException e) {
            LOG.log(Level.WARNING, "Could not publish a message: {0}", e.getMessage());
            app.metrics().publishFailed();
            resp.setHeader("Retry-After", "2");
            JsonResponses.error(resp, HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                    "the message broker is unavailable; the message was not sent");
        }
    }
}
