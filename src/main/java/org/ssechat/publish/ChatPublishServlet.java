package org.ssechat.publish;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.ssechat.metrics.ChatMetrics;

/**
 * POST /chat: checks the sender's rate and the token (when one is set), reads and checks the
 * message, publishes it through the broker and answers {@code 202} with the message as
 * published (see {@link PublishExchange}). Every client mistake is a 4xx with
 * {@code {"error": "..."}}. POST /typing is the same servlet with another {@link PostHandler}
 * and its own rate: the same rules for who may post where.
 */
public final class ChatPublishServlet extends HttpServlet {

    private static final String ALLOW = "GET, HEAD, POST, OPTIONS";

    private final transient PublishHead head;
    private final transient PostHandler publisher;
    private final transient ChatMetrics metrics;
    private final long bodyTimeoutSeconds;

    /** @param bodyTimeoutSeconds how long a whole body may take to arrive ({@code CHAT_BODY_TIMEOUT_SECONDS}) */
    public ChatPublishServlet(PublishHead head, PostHandler publisher, ChatMetrics metrics, long bodyTimeoutSeconds) {
        this.head = head;
        this.publisher = publisher;
        this.metrics = metrics;
        this.bodyTimeoutSeconds = bodyTimeoutSeconds;
    }

    /** Every other method gets a JSON 405 instead of the container's HTML error page. */
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
        switch (req.getMethod()) {
            case "GET", "HEAD", "POST", "OPTIONS" -> super.service(req, resp);
            default -> {
                resp.setHeader("Allow", ALLOW);
                // Its body is dropped without a thread, like any refused body's.
                PublishExchange.refuse(publisher, metrics, bodyTimeoutSeconds, req, resp,
                        HttpServletResponse.SC_METHOD_NOT_ALLOWED, req.getMethod() + " is not allowed here; POST a message");
            }
        }
    }

    /** A browser that lands on /chat is sent to the page. */
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.sendRedirect(req.getContextPath() + "/");
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        PublishExchange.start(head, publisher, metrics, bodyTimeoutSeconds, req, resp);
    }
}
