package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ssechat.testing.ChatPage.awaitText;
import static org.ssechat.testing.ChatPage.followedRooms;
import static org.ssechat.testing.ChatPage.showRoom;
import static org.ssechat.testing.ChatPage.shownRoom;
import static org.ssechat.testing.ChatPage.status;
import static org.ssechat.testing.ChatPage.switchRoom;
import static org.ssechat.testing.ChatPage.texts;
import static org.ssechat.testing.ChatPage.unread;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WindowType;
import org.ssechat.testing.Await;
import org.ssechat.testing.Browser;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.Teardown;
import org.ssechat.testing.WarServer;

/**
 * One person, many rooms, in Chromium over HTTP/1.1 (one browser, the built WAR): every room
 * followed in every tab on one stream, unread counts for the rooms a tab does not show, and the
 * older messages of a room loaded as the reader scrolls up.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManyRoomsPageIT {

    private WarServer server;
    private Browser browser;
    private WebDriver driver;

    @BeforeAll
    void start() throws Exception {
        server = WarServer.Kind.JETTY.start("/sse-chat", Map.of("CHAT_RATE_LIMIT_PER_SECOND", "0",
                // Jetty notices a closed stream at the heartbeat's probe: soon, for the counts here.
                "CHAT_HEARTBEAT_SECONDS", "2"));
    }

    @AfterAll
    void stop() throws Exception {
        Teardown.close(server);
    }

    @BeforeEach
    void openBrowser() throws Exception {
        browser = Browser.start();
        driver = browser.driver();
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
    void tenRoomsInThreeTabsShareOneStreamAndANewMessageCountsAsUnreadInEveryTabNotShowingItsRoom()
            throws Exception {
        List<String> rooms = IntStream.range(0, 10).mapToObj(i -> "team-" + i).toList();
        driver.get(page(rooms.get(0)));
        browser.await("the first room is live", d -> "live".equals(status(d)));
        for (String room : rooms.subList(1, rooms.size())) {
            switchRoom(driver, room); // typed into the room list's form, as a reader does
            browser.await(room + " is shown", d -> room.equals(shownRoom(d)));
        }
        showRoom(driver, rooms.get(0));
        List<String> tabs = new ArrayList<>(List.of(driver.getWindowHandle()));
        for (String room : rooms.subList(1, 3)) {
            driver.switchTo().newWindow(WindowType.TAB);
            driver.get(page(room));
            tabs.add(driver.getWindowHandle());
        }
        for (String tab : tabs) {
            driver.switchTo().window(tab);
            browser.await("every tab is live", d -> "live".equals(status(d)));
            browser.await("every tab follows the ten rooms", d -> followedRooms(d).equals(rooms));
        }
        assertEquals(1, awaitStreams(1), "ten rooms, three tabs: one stream");

        // A room no tab shows: counted in each.
        ChatHttp.publish(server.base(), "team-9", "bob", "news in team-9");
        for (String tab : tabs) {
            driver.switchTo().window(tab);
            browser.await("team-9's message counts as unread", d -> unread(d, "team-9") == 1);
            assertEquals("1 unread message", driver.findElement(
                    By.cssSelector("#room-list li[data-room='team-9'] .unread")).getAttribute("textContent"),
                    "what a screen reader says of the count");
        }
        // A room one tab shows: counted in the two others.
        ChatHttp.publish(server.base(), "team-1", "ann", "for the second tab");
        driver.switchTo().window(tabs.get(1));
        awaitText(browser, "for the second tab");
        assertEquals(0, unread(driver, "team-1"), "read where it is shown");
        for (String tab : List.of(tabs.get(0), tabs.get(2))) {
            driver.switchTo().window(tab);
            browser.await("team-1's message counts as unread", d -> unread(d, "team-1") == 1);
        }
        // Reading a room clears its count in that tab only; switching rooms opens no stream.
        driver.switchTo().window(tabs.get(0));
        showRoom(driver, "team-9");
        awaitText(browser, "news in team-9");
        assertEquals(0, unread(driver, "team-9"));
        driver.switchTo().window(tabs.get(2));
        assertEquals(1, unread(driver, "team-9"), "still unread in a tab that did not show it");
        assertEquals(1, streams(), "still one stream");
    }

    @Test
    void scrollingUpLoadsOlderMessagesInOrderUntilTheBeginningOfTheRoom() throws Exception {
        for (int i = 1; i <= 120; i++) {
            ChatHttp.publish(server.base(), "long", "ci", "message " + i);
        }
        driver.get(page("long"));
        browser.await("the page is live", d -> "live".equals(status(d)));
        awaitText(browser, "message 120");
        assertEquals(50, texts(driver).size(), "the newest 50 on first load");

        for (int page = 0; page < 10 && !beginningShown(); page++) {
            int shown = texts(driver).size();
            String oldest = texts(driver).get(0);
            double onThePage = topOf(oldest) + scrollY();
            script("window.scrollTo(0, 0)"); // now the reader sees it at onThePage
            browser.await("older messages or the beginning", d -> texts(d).size() > shown || beginningShown());
            if (texts(driver).size() > shown) {
                assertEquals(onThePage, topOf(oldest), 2.0,
                        "what the reader saw stays where it was: the older messages went above it");
                assertTrue(scrollY() > 0);
            }
        }
        assertTrue(beginningShown(), "the beginning of the room is shown");
        List<String> expected = IntStream.rangeClosed(1, 120).mapToObj(i -> "message " + i).toList();
        assertEquals(expected, texts(driver), "every message once, in order");
        assertEquals(120, new HashSet<>(texts(driver)).size());
    }

    // --- helpers -------------------------------------------------------------------------------

    private String page(String room) {
        return server.base().resolve("?room=" + room).toString();
    }

    private boolean beginningShown() {
        return driver.findElement(By.id("older-note")).isDisplayed()
                && driver.findElement(By.id("older-note")).getText().equals("This is the beginning of #long.");
    }

    /** Where a message is in the viewport: the top of its box. */
    private double topOf(String text) {
        return ((Number) script("""
                const item = [...document.querySelectorAll('#messages .message')]
                    .find((element) => element.querySelector('.text').textContent === arguments[0]);
                return item.getBoundingClientRect().top;
                """, text)).doubleValue();
    }

    private double scrollY() {
        return ((Number) script("return window.scrollY")).doubleValue();
    }

    private Object script(String script, Object... arguments) {
        return ((JavascriptExecutor) driver).executeScript(script, arguments);
    }

    private int streams() throws Exception {
        return ChatHttp.health(server.base()).get("streams").getAsInt();
    }

    private int awaitStreams(int expected) throws Exception {
        return Await.until("the node holds " + expected + " streams", this::streams, n -> n == expected);
    }
}
