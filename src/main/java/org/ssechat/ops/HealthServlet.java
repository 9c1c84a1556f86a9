package org.ssechat.ops;

import com.google.gson.JsonObject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.ssechat.app.ChatApplication;
import org.ssechat.http.JsonResponses;

/**
 * GET /health: {@code UP} (200) while the broker works, {@code DOWN} (503) while it does not,
 * with the node's streams and whether it takes more. Reads counters only: it answers at once
 * however busy the node is.
 */
@WebServlet(name = "health", urlPatterns = "/health", asyncSupported = true)
public final class HealthServlet extends HttpServlet {

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        ChatApplication app = ChatApplication.from(getServletContext());
        boolean up = app.broker().isHealthy();
        JsonObject json = new JsonObject();
        json.addProperty("status", up ? "UP" : "DOWN");
        json.addProperty("broker", app.broker().name());
        if (app.broker().node() != null) {
            json.addProperty("brokerNode", app.broker().node()); // for Sentinel, the primary it follows
        }
        json.addProperty("clients", app.chatClients().size());
        json.addProperty("rooms", app.chatClients().roomCount());
        json.addProperty("clockClients", app.clockClients().size());
        json.addProperty("streams", app.admission().open());
        json.addProperty("maxStreams", app.admission().maxStreams());
        // Full: it refuses new streams now, for its cap or for the heap.
        json.addProperty("full", app.admission().isFull() || app.heapWatch().isShort());
        json.addProperty("heapHeadroomBytes", app.heapWatch().headroomBytes());
        // Which rooms need a token: none (no key), the private- ones, or all of them.
        json.addProperty("tokens", !app.roomAccess().tokensEnabled() ? "off"
                : app.roomAccess().tokensRequired() ? "required" : "private-rooms");
        JsonResponses.send(resp, up ? HttpServletResponse.SC_OK : HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                json.toString());
    }
}
