package org.ssechat.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.ssechat.deploy.ChurnTally.Failure;

/** StreamIsolationIT's eyes: what counts as another room's bytes on a connection, and what does not. */
class ChurnTallyTest {

    private static final String HEAD = "HTTP/1.1 200 \r\nContent-Type: text/event-stream;charset=UTF-8\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n";

    private final ChurnTally tally = new ChurnTally(List.of("alpha", "secret", "notes"));

    @Test
    void aSliceOfAnotherRoomsFrameIsCrossedThoughAChunkHeadSplitsOneOfItsMarkers() {
        String frame = "id: 1-0\nevent: message\ndata: {\"text\":\"" + RoomMarkers.text("secret", 7, 60) + "\"}\n\n";
        int split = frame.indexOf("<secret#") + 4;
        String time = HEAD + "29\r\nretry: 3000\n\ndata: 2026-12-07T16:06:13Z\n\n\r\n"
                + Integer.toHexString(split) + "\r\n" + frame.substring(0, split) + "\r\n"
                + Integer.toHexString(frame.length() - split) + "\r\n" + frame.substring(split) + "\r\n";

        tally.lookAt("a fresh /time stream", null, time);

        assertEquals(1, tally.failures(Failure.CROSSED), tally.failures());
    }

    @Test
    void aStreamOfARoomMayCarryItsOwnMarkersButNotAnotherRoomsOrASecondResponse() {
        String own = HEAD + "40\r\ndata: " + RoomMarkers.text("alpha", 12, 40) + "\n\n\r\n";
        tally.lookAt("a stream of alpha", "alpha", own);
        assertEquals(0, tally.failures(Failure.CROSSED), tally.failures());

        tally.lookAt("a stream of alpha", "alpha", own + "HTTP/1.1 202 \r\nContent-Length: 2\r\n\r\n{}");
        tally.lookAt("a stream of alpha", "alpha", own + RoomMarkers.marker("notes", 3));
        assertEquals(2, tally.failures(Failure.CROSSED), tally.failures());
    }

    @Test
    void aMessagesNumberIsReadOnlyFromATextOfItsRoomsMarkersAlone() {
        assertEquals(123, RoomMarkers.number("secret", RoomMarkers.text("secret", 123, 30_000)));
        assertEquals(-1, RoomMarkers.number("alpha", RoomMarkers.text("secret", 123, 100)));
        assertEquals(-1, RoomMarkers.number("alpha", RoomMarkers.text("alpha", 1, 24) + RoomMarkers.marker("alpha", 2)));
    }
}
