package org.ssechat.ops;

import com.google.gson.JsonObject;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.ssechat.auth.RoomAccess;
import org.ssechat.broker.Broker;
import org.ssechat.sse.ClientRegistry;
import org.ssechat.stream.HeapWatch;
import org.ssechat.stream.StreamAdmission;
import org.ssechat.http.JsonResponses;

/**
 * GET /health: {@code UP} (200) while the broker works, {@code DOWN} (503) while it does not,
 * with the node's streams and whether it takes more. Reads counters only: it answers at once
 * however busy the node is.
 */
public final class HealthServlet extends HttpServlet {

    private final transient Broker broker;
    private final transient ClientRegistry chatClients;
    private final transient ClientRegistry clockClients;
    private final transient StreamAdmission admission;
    private final transient HeapWatch heapWatch;
    private final transient RoomAccess access;

    public HealthServlet(Broker broker, ClientRegistry chatClients, ClientRegistry clockClients,
            StreamAdmission admission, HeapWatch heapWatch, RoomAccess access) {
        this.broker = broker;
        this.chatClients = chatClients;
        this.clockClients = clockClients;
        this.admission = admission;
        this.heapWatch = heapWatch;
        this.access = access;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        boolean up = broker.isHealthy();
        JsonObject json = new JsonObject();
        json.addProperty("status", up ? "UP" : "DOWN");
        json.addProperty("broker", broker.name());
        if (broker.node() != null) {
            json.addProperty("brokerNode", broker.node()); // for Sentinel, the primary it follows
        }
        json.addProperty("clients", chatClients.size());
        json.addProperty("rooms", chatClients.roomCount());
        json.addProperty("clockClients", clockClients.size());
        json.addProperty("streams", admission.open());
        json.addProperty("maxStreams", admission.maxStreams());
        // Full: it refuses new streams now, for its cap or for the heap.
        json.addProperty("full", admission.isFull() || heapWatch.isShort());
        json.addProperty("heapHeadroomBytes", heapWatch.headroomBytes());
        // Which rooms need a token: none (no key), the private- ones, or all of them.
        json.addProperty("tokens", !access.tokensEnabled() ? "off"
                : access.tokensRequired() ? "required" : "private-rooms");
        JsonResponses.send(resp, up ? HttpServletResponse.SC_OK : HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                json.toString());
    }
}
