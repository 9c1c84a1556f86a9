package org.ssechat.web;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.ssechat.app.ChatApplication;
import org.ssechat.chat.ChatMessage;
import org.ssechat.chat.ChatRequestException;
import org.ssechat.chat.RoomNames;
import org.ssechat.hub.ResumeRequest;

/**
 * GET /sse?room=NAME: the chat stream of one room. {@code Last-Event-ID} (or
 * {@code ?lastEventId=}) resumes after that message; {@code ?history=N} starts with the newest N.
 * Any Accept header is fine: {@code curl -N} sends {@code *}{@code /*}, and refusing it would
 * only annoy.
 */
@WebServlet(name = "chat-stream", urlPatterns = "/sse", asyncSupported = true)
public final class ChatStreamServlet extends HttpServlet {

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        ChatApplication app = ChatApplication.from(getServletContext());
        String room = req.getParameter("room");
        if (room == null || room.isEmpty()) {
            room = ChatMessage.DEFAULT_ROOM;
        } else if (!RoomNames.isValid(room)) {
            JsonResponses.error(resp, HttpServletResponse.SC_BAD_REQUEST, RoomNames.rule());
            return;
        }
        ResumeRequest resume;
        try {
            resume = ResumeRequest.from(req, app.config().historySize());
        } catch (ChatRequestException e) {
            JsonResponses.error(resp, e.status(), e.getMessage());
            return;
        }
        if (app.chatClients().isFull()) {
            JsonResponses.full(resp);
            return;
        }
        app.hub().open(req, resp, room, resume);
    }
}
