package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.ssechat.testing.ChatPage.awaitText;
import static org.ssechat.testing.ChatPage.followedRooms;
import static org.ssechat.testing.ChatPage.say;
import static org.ssechat.testing.ChatPage.showRoom;
import static org.ssechat.testing.ChatPage.shownRoom;
import static org.ssechat.testing.ChatPage.status;
import static org.ssechat.testing.ChatPage.statusText;
import static org.ssechat.testing.ChatPage.switchRoom;
import static org.ssechat.testing.ChatPage.texts;
import static org.ssechat.testing.ChatPage.transport;
import static org.ssechat.testing.ChatPage.unread;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.ssechat.testing.Await;
import org.ssechat.testing.Browser;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.TcpProxy;
import org.ssechat.testing.Teardown;
import org.ssechat.testing.WarServer;

/**
 * How the page holds its stream in a real browser (headless Chromium, HTTP/1.1, the built WAR):
 * every tab and every room of a browser on one connection, also where SharedWorker is missing,
 * and back by itself after a reverse proxy answered {@code 502} for a while.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PageConnectionIT {

    private WarServer server;
    private TcpProxy proxy;
    private Browser browser;
    private WebDriver driver;

    @BeforeAll
    void start() throws Exception {
        server = WarServer.Kind.JETTY.start("/sse-chat", Map.of("CHAT_RATE_LIMIT_PER_SECOND", "0",
                // Jetty notices a closed stream at the heartbeat's probe: soon, for the counts here.
                "CHAT_HEARTBEAT_SECONDS", "2"));
        proxy = new TcpProxy(server.base().getPort());
    }

    @AfterAll
    void stop() throws Exception {
        Teardown.close(proxy, server);
    }

    @BeforeEach
    void openBrowser() throws Exception {
        browser = Browser.start();
        driver = browser.driver();
        // Every test starts with no stream open: the streams counted are this test's.
        Await.until("the streams of earlier tests are gone", () -> streams() == 0);
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.close();
            browser = null;
        }
    }

    @Test
    void eightTabsShareOneStreamAndEachShowsEveryMessageOnce() throws Exception {
        List<String> tabs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            tabs.add(openTab("lobby", i > 0));
        }
        for (String tab : tabs) {
            driver.switchTo().window(tab);
            browser.await("every tab is live", d -> "live".equals(status(d)));
            assertEquals("shared-worker", transport(driver));
        }
        assertEquals(1, awaitStreams(1), "eight tabs, the room and the clock: one stream");

        say(driver, "eve", "typed in the eighth tab");
        for (String tab : tabs) {
            driver.switchTo().window(tab);
            awaitText(browser, "typed in the eighth tab");
        }

        // Closing tabs, the first among them, leaves the others live and missing nothing.
        for (String tab : tabs.subList(0, 3)) {
            driver.switchTo().window(tab);
            driver.close();
        }
        List<String> open = tabs.subList(3, 8);
        ChatHttp.publish(server.base(), "lobby", "bob", "after three tabs closed");
        for (String tab : open) {
            driver.switchTo().window(tab);
            awaitText(browser, "after three tabs closed");
            assertEquals(List.of("typed in the eighth tab", "after three tabs closed"), texts(driver),
                    "each message once, in order, in every tab");
            assertEquals("live", status(driver));
        }
        assertEquals(1, streams(), "still one stream");
    }

    @Test
    void tabsOfDifferentRoomsFollowBothOnOneStreamAndEachShowsOnlyItsRoom() throws Exception {
        String red = openTab("red", false);
        String blue = openTab("blue", true);
        String red2 = openTab("red", true);
        for (String tab : List.of(red, blue, red2)) {
            driver.switchTo().window(tab);
            browser.await("the tab is live", d -> "live".equals(status(d)));
            browser.await("the tab follows both rooms", d -> followedRooms(d).equals(List.of("red", "blue")));
        }
        assertEquals(1, awaitStreams(1), "one stream for both rooms");
        ChatHttp.publish(server.base(), "red", "ann", "for red");
        ChatHttp.publish(server.base(), "blue", "bob", "for blue");
        driver.switchTo().window(blue);
        awaitText(browser, "for blue");
        browser.await("red's message counts as unread in the blue tab", d -> unread(d, "red") == 1);
        driver.switchTo().window(red);
        awaitText(browser, "for red");
        driver.switchTo().window(red2);
        awaitText(browser, "for red");
        assertEquals(List.of("for red"), texts(driver), "no other room's message");
        assertEquals(1, unread(driver, "blue"));
        driver.switchTo().window(blue);
        assertEquals(List.of("for blue"), texts(driver), "no other room's message");
    }

    /**
     * No limit of 4 rooms over HTTP/1.1 any more: a room followed in one tab is followed in all,
     * on the one stream, which opens again with the old rooms' positions (nothing missed).
     */
    @Test
    void aRoomFollowedInOneTabJoinsTheOneStreamAndTheOldRoomsMissNothing() throws Exception {
        List<String> tabs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            tabs.add(openTab("room" + i, i > 0));
        }
        for (String tab : tabs) {
            driver.switchTo().window(tab);
            browser.await("every room is live", d -> "live".equals(status(d)));
        }
        assertEquals(1, awaitStreams(1), "five rooms, one stream");
        driver.switchTo().window(tabs.get(0));
        say(driver, "ann", "before a sixth room");
        awaitText(browser, "before a sixth room");
        switchRoom(driver, "room5");
        browser.await("the sixth room is shown", d -> "room5".equals(shownRoom(d)));
        ChatHttp.publish(server.base(), "room0", "bob", "while the stream opened again");
        ChatHttp.publish(server.base(), "room5", "bob", "in the sixth room");
        awaitText(browser, "in the sixth room");
        driver.switchTo().window(tabs.get(4));
        browser.await("the other tabs follow it too", d -> followedRooms(d).contains("room5"));
        driver.switchTo().window(tabs.get(0));
        showRoom(driver, "room0");
        awaitText(browser, "while the stream opened again");
        assertEquals(List.of("before a sixth room", "while the stream opened again"), texts(driver),
                "each message once, in order");
        assertEquals(1, awaitStreams(1), "still one stream");
    }

    /**
     * A SharedWorker whose script does not load (a 404 during a deploy, a proxy's policy) says so
     * only to its worker object: the page must not wait for it for ever.
     */
    @Test
    void aSharedWorkerThatFailsToLoadLeavesTheTabsToALeader() throws Exception {
        List<String> tabs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            if (i > 0) {
                driver.switchTo().newWindow(WindowType.TAB);
            }
            ((ChromeDriver) driver).executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source",
                    "const RealSharedWorker = window.SharedWorker;"
                            + " window.SharedWorker = function (url, options) { return new RealSharedWorker('no-such-worker.js', options); };"));
            driver.get(page("broken-worker"));
            tabs.add(driver.getWindowHandle());
        }
        List<String> roles = new ArrayList<>();
        for (String tab : tabs) {
            driver.switchTo().window(tab);
            browser.await("the tab is live without its worker", d -> "live".equals(status(d)));
            roles.add(transport(driver));
        }
        // Which tab hears of the failure first, and leads, is the browser's timing: one leads.
        assertEquals(List.of("follower", "leader"), roles.stream().sorted().toList(), "roles: " + roles);
        say(driver, "ann", "no worker needed");
        awaitText(browser, "no worker needed");
        assertEquals(1, awaitStreams(1));
    }

    /** With neither SharedWorker nor Web Locks, a tab holds its own stream, as pages did before. */
    @Test
    void withNeitherSharedWorkerNorWebLocksATabHoldsItsOwnStream() throws Exception {
        ((ChromeDriver) driver).executeCdpCommand("Page.addScriptToEvaluateOnNewDocument",
                Map.of("source", "delete window.SharedWorker; Object.defineProperty(navigator, 'locks', { value: undefined });"));
        openTab("alone", false);
        browser.await("the page is live", d -> "live".equals(status(d)));
        assertEquals("own", transport(driver));
        say(driver, "ann", "on a stream of its own");
        awaitText(browser, "on a stream of its own");
        assertEquals(1, awaitStreams(1));
    }

    /**
     * Where a browser has no SharedWorker (Chrome on Android), the tab holding a Web Lock leads:
     * it holds the stream and relays it to the others; when it closes, another one takes over
     * and resumes after the newest message, so nothing is lost and nothing shown twice.
     */
    @Test
    void withoutSharedWorkerOneTabLeadsAndAnotherTakesOverWhenItCloses() throws Exception {
        List<String> tabs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            tabs.add(openTabWithoutSharedWorker("relay", i > 0));
        }
        List<String> roles = new ArrayList<>();
        for (String tab : tabs) {
            driver.switchTo().window(tab);
            browser.await("every tab is live", d -> "live".equals(status(d)));
            roles.add(transport(driver));
        }
        assertEquals(List.of("leader", "follower", "follower"), roles, "the first tab leads");
        assertEquals(1, awaitStreams(1), "one stream for the three tabs");
        driver.switchTo().window(tabs.get(2));
        say(driver, "cy", "before the leader left");
        awaitText(browser, "before the leader left");

        driver.switchTo().window(tabs.get(0));
        driver.close();
        ChatHttp.publish(server.base(), "relay", "bob", "while the lead changed hands");
        driver.switchTo().window(tabs.get(1));
        browser.await("the next tab leads", d -> "leader".equals(transport(d)));
        for (String tab : tabs.subList(1, 3)) {
            driver.switchTo().window(tab);
            awaitText(browser, "while the lead changed hands");
            assertEquals(List.of("before the leader left", "while the lead changed hands"), texts(driver),
                    "each message once, in order");
        }
        assertEquals(1, awaitStreams(1), "the new leader's stream, and the old one gone");
    }

    /**
     * EventSource gives up for good on a 502, which a reverse proxy answers while the backend
     * restarts: the page must not, and must show what it is doing meanwhile.
     */
    @Test
    void afterAProxyAnswered502ForAWhileThePageComesBackByItselfAndMissesNothing() throws Exception {
        openTab("deploy", false);
        browser.await("the page is live", d -> "live".equals(status(d)));
        say(driver, "ann", "before the deploy");
        awaitText(browser, "before the deploy");

        proxy.answerBadGateway();
        try {
            browser.await("the page counts down to its next try",
                    d -> status(d).equals("reconnecting") && statusText(d).matches("reconnecting in \\d+ s"));
            ChatHttp.publish(server.base(), "deploy", "bob", "posted during the deploy");
            // Two 502s: the page tried again after EventSource had given up on the first.
            Await.until("the page asked twice and got 502 twice", Duration.ofSeconds(20),
                    () -> proxy.badGatewaysAnswered() >= 2);
        } finally {
            proxy.restore();
        }
        browser.await("the page is live again", d -> "live".equals(status(d)));
        awaitText(browser, "posted during the deploy");
        assertEquals(List.of("before the deploy", "posted during the deploy"), texts(driver),
                "each message once, in order");
    }

    // --- helpers -------------------------------------------------------------------------------

    private String page(String room) {
        return "http://127.0.0.1:" + proxy.port() + "/sse-chat/?room=" + room;
    }

    /** Opens the room's page in a new tab of the same browser (the first in the browser's own). */
    private String openTab(String room, boolean newTab) {
        if (newTab) {
            driver.switchTo().newWindow(WindowType.TAB);
        }
        driver.get(page(room));
        return driver.getWindowHandle();
    }

    /** The same, in a tab whose page finds no SharedWorker (removed before any script runs). */
    private String openTabWithoutSharedWorker(String room, boolean newTab) {
        if (newTab) {
            driver.switchTo().newWindow(WindowType.TAB);
        }
        ((ChromeDriver) driver).executeCdpCommand("Page.addScriptToEvaluateOnNewDocument",
                Map.of("source", "delete window.SharedWorker;"));
        driver.get(page(room));
        return driver.getWindowHandle();
    }

    private int streams() throws Exception {
        return ChatHttp.health(server.base()).get("streams").getAsInt();
    }

    /** Waits until the node holds this many streams, and gives the count for the assertion. */
    private int awaitStreams(int expected) throws Exception {
        return Await.until("the node holds " + expected + " streams", this::streams, n -> n == expected);
    }

}
