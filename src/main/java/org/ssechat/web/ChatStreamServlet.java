package org.ssechat.web;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.ssechat.app.ChatApplication;
import org.ssechat.chat.ChatEvents;
import org.ssechat.chat.ChatMessage;
import org.ssechat.chat.ChatRequestException;
import org.ssechat.chat.QueryParameters;
import org.ssechat.chat.RoomNames;
import org.ssechat.guard.StreamAdmission;
import org.ssechat.hub.ResumeRequest;
import org.ssechat.sse.SseStreamOpener;

/**
 * GET /sse?room=NAME: the chat stream of one room. {@code Last-Event-ID} (or
 * {@code ?lastEventId=}) resumes after that message; {@code ?history=N} starts with the newest N;
 * {@code ?clock=1} starts with the server's time (an {@code event: time}).
 * A bad request is a JSON 4xx before any stream starts; a stream the node cannot take now is
 * refused in the form EventSource retries (see {@link org.ssechat.sse.StreamRefusal}).
 */
@WebServlet(name = "chat-stream", urlPatterns = "/sse", asyncSupported = true)
public final class ChatStreamServlet extends HttpServlet {

    /** What a stream request asks for, once checked. */
    private record StreamRequest(String room, ResumeRequest resume, boolean clock) {
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        ChatApplication app = ChatApplication.from(getServletContext());
        StreamRequest request = checked(app, req, resp);
        if (request == null) {
            return;
        }
        StreamAdmission.Decision admission = app.admitStream(req);
        if (!admission.admitted()) {
            Refusals.send(app, req, resp, admission.refusal());
            return;
        }
        try {
            byte[][] first = request.clock() ? new byte[][] {ChatEvents.time(app.clock().instant())} : new byte[0][];
            app.chatStreams().open(req, resp, request.room(), request.resume(), admission.ticket()::release, first);
        } catch (IOException | RuntimeException e) {
            admission.ticket().release();
            throw e;
        }
    }

    /**
     * The headers a GET would answer with, and nothing held: the servlet API's default HEAD runs
     * GET into a body-less response, which would open a stream no write could ever end.
     */
    @Override
    protected void doHead(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (checked(ChatApplication.from(getServletContext()), req, resp) != null) {
            resp.setStatus(HttpServletResponse.SC_OK);
            SseStreamOpener.setStreamHeaders(resp);
        }
    }

    /** The room and where to start, or null after answering a 400. */
    private static StreamRequest checked(ChatApplication app, HttpServletRequest req, HttpServletResponse resp)
            throws IOException {
        try {
            QueryParameters query = QueryParameters.parse(req.getQueryString());
            String room = query.get("room");
            if (room == null || room.isEmpty()) {
                room = ChatMessage.DEFAULT_ROOM;
            } else if (!RoomNames.isValid(room)) {
                throw new ChatRequestException(HttpServletResponse.SC_BAD_REQUEST, RoomNames.rule());
            }
            String clock = query.get("clock");
            if (clock != null && !clock.equals("0") && !clock.equals("1")) {
                throw new ChatRequestException(HttpServletResponse.SC_BAD_REQUEST, "clock must be 0 or 1");
            }
            return new StreamRequest(room,
                    ResumeRequest.from(req.getHeader("Last-Event-ID"), query, app.config().historySize()),
                    "1".equals(clock));
        } catch (ChatRequestException e) {
            JsonResponses.error(resp, e.status(), e.getMessage());
            return null;
        }
    }
}
