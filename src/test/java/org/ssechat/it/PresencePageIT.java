package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ssechat.testing.ChatPage.awaitText;
import static org.ssechat.testing.ChatPage.people;
import static org.ssechat.testing.ChatPage.say;
import static org.ssechat.testing.ChatPage.sending;
import static org.ssechat.testing.ChatPage.setName;
import static org.ssechat.testing.ChatPage.status;
import static org.ssechat.testing.ChatPage.texts;
import static org.ssechat.testing.ChatPage.type;
import static org.ssechat.testing.ChatPage.typing;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.ssechat.testing.Browser;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.ChatPage;
import org.ssechat.testing.Metrics;
import org.ssechat.testing.TcpProxy;
import org.ssechat.testing.Teardown;
import org.ssechat.testing.WarServer;

/**
 * Two people, each in a browser of their own (headless Chromium, the built WAR, HTTP/1.1): each
 * sees the other typing and in the room's list of people, and sees them leave; a message sent
 * while the connection is cut shows as "sending…" and arrives once when it is back, even when the
 * server published it and its answer was lost on the way.
 *
 * <p>The browsers reach the server through a proxy the test can cut, and that can lose a POST's
 * answer after the server acted on it ({@link TcpProxy}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PresencePageIT {

    /** Leaving is seen within a sweep or a heartbeat, then told within the presence interval: generous. */
    private static final Duration LEAVING_SEEN = Duration.ofSeconds(20);

    private WarServer server;
    private TcpProxy proxy;
    private Browser ann;
    private Browser bob;
    private Browser cy;

    @BeforeAll
    void start() throws Exception {
        server = WarServer.Kind.JETTY.start("/sse-chat", Map.of("CHAT_RATE_LIMIT_PER_SECOND", "0",
                // Jetty notices a closed stream at the heartbeat's probe: soon, for the leaving here.
                "CHAT_HEARTBEAT_SECONDS", "2",
                // EventSource comes back after a cut connection this soon, not after 3 s.
                "CHAT_RETRY_MILLIS", "500"));
        proxy = new TcpProxy(server.base().getPort());
        // People, each in a browser of their own (each test in a room of its own); Cy leaves in one.
        List<Browser> browsers = Browser.startSeveral(3);
        ann = browsers.get(0);
        bob = browsers.get(1);
        cy = browsers.get(2);
    }

    @AfterAll
    void stop() throws Exception {
        Teardown.close(ann, bob, cy, proxy, server);
    }

    @Test
    void whatOneTypesShowsTheOtherWhoIsTypingUntilTheMessageArrives() {
        enter(ann, "Ann", "typing");
        enter(bob, "Bob", "typing");

        type(ann.driver(), "Did the deploy");
        bob.await("Bob sees Ann typing", d -> typing(d).equals("Ann is typing…"));
        assertEquals("", typing(ann.driver()), "Ann is not told she is typing");

        type(ann.driver(), " go out?" + Keys.ENTER);
        awaitText(bob, "Did the deploy go out?");
        assertEquals("", typing(bob.driver()), "her message ends her typing at once");
    }

    @Test
    void thePeopleLineNamesEveryoneHereAndDropsWhoeverLeaves() throws Exception {
        enter(ann, "Ann", "team");
        enter(bob, "Bob", "team");
        ann.await("Ann sees Bob here", d -> people(d).equals("2 here: you and Bob"));
        bob.await("Bob sees Ann here", d -> people(d).equals("2 here: you and Ann"));

        enter(cy, "Cy", "team");
        ann.await("Ann sees Cy come", d -> people(d).equals("3 here: you, Bob and Cy"));
        cy.await("Cy sees both", d -> people(d).equals("3 here: you, Ann and Bob"));

        cy.close(); // the whole browser quits: its stream's connection closes
        cy = null;
        ann.await("Ann sees Cy gone", LEAVING_SEEN, d -> people(d).equals("2 here: you and Bob"));
        bob.await("Bob sees Cy gone", d -> people(d).equals("2 here: you and Ann"));
    }

    @Test
    void aMessageSentWhileTheConnectionIsCutShowsSendingAndArrivesOnceWhenItIsBack() throws Exception {
        String text = "sent through the tunnel";
        enter(ann, "Ann", "flaky");
        enter(bob, "Bob", "flaky");

        proxy.cut();
        try {
            say(ann.driver(), "Ann", text);
            ann.await("the message shows as sending…", d -> sending(d).equals(List.of(text)));
            ann.await("a try failed on the network, and another is to come", ChatPage::sendingAgain);
            assertFalse(texts(ann.driver()).contains(text), "not shown as sent");
            // Back, but the first try to reach the server loses its answer after the server published
            // the message: only a retry with the same Idempotency-Key keeps it from being published twice.
            proxy.cutAfterRequestContaining(text);
        } finally {
            proxy.restore();
        }

        for (Browser window : List.of(ann, bob)) {
            window.await("the page is live again", d -> "live".equals(status(d)));
            awaitText(window, text);
        }
        ann.await("nothing is left sending", d -> sending(d).isEmpty());
        assertEquals(1, texts(ann.driver()).stream().filter(text::equals).count(), "once when the last answer came");
        assertEquals(1, historyCount("flaky", text), "the server published it once");
        assertTrue(Metrics.value(server.base(), "sse_chat_publish_retries_answered_total") >= 1,
                "a try with the key of the published message came back, and was answered from the first");
    }

    // --- helpers -------------------------------------------------------------------------------

    /** Opens the room's page, names the reader, and waits until the page is live. */
    private void enter(Browser browser, String name, String room) {
        WebDriver driver = browser.driver();
        driver.get("http://127.0.0.1:" + proxy.port() + "/sse-chat/?room=" + room);
        browser.await("the page is live", d -> "live".equals(status(d)));
        setName(driver, name);
    }

    /** How many messages of the room's history say this. */
    private long historyCount(String room, String text) throws Exception {
        JsonElement answer = JsonParser.parseString(ChatHttp.get(server.base(),
                "history?room=" + URLEncoder.encode(room, StandardCharsets.UTF_8) + "&limit=100").body());
        return StreamSupport.stream(answer.getAsJsonObject().getAsJsonArray("messages").spliterator(), false)
                .filter(message -> message.getAsJsonObject().get("text").getAsString().equals(text))
                .count();
    }
}
