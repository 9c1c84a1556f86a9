package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ssechat.testing.ChatPage.followedRooms;
import static org.ssechat.testing.ChatPage.status;
import static org.ssechat.testing.ChatPage.switchRoom;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.ssechat.testing.Tokens;
import org.ssechat.testing.Browser;
import org.ssechat.testing.Teardown;
import org.ssechat.testing.WarServer;

/** The page in a private room, in Chromium, with the token cookie a backend would set. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrivateRoomPageIT {

    private static final String SECRET = "an HS256 secret of 32 bytes or more!";

    private WarServer server;
    private Browser browser;
    private WebDriver driver;

    @BeforeAll
    void start() throws Exception {
        server = WarServer.Kind.JETTY.start("/sse-chat", Map.of("CHAT_JWT_SECRET", SECRET, "CHAT_RATE_LIMIT_PER_SECOND", "0"));
    }

    @AfterAll
    void stop() throws Exception {
        Teardown.close(server);
    }

    @BeforeEach
    void openBrowser() throws Exception {
        browser = Browser.start();
        driver = browser.driver();
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.close();
            browser = null;
        }
    }

    private static String token(String sub, String name, List<String> rooms) throws Exception {
        return Tokens.hs256(SECRET, sub, name, 3600, rooms, null);
    }

    /** The cookie as a backend sets it: HttpOnly, for the application's path. */
    private void signIn(String token) {
        driver.get(server.base().resolve("health").toString()); // a page of the origin first: cookies are per site
        driver.manage().addCookie(new Cookie.Builder("sse_chat_token", token).path("/sse-chat/").isHttpOnly(true).build());
    }

    private String page(String room) {
        return server.base().resolve("?room=" + room).toString();
    }

    private static List<WebElement> messages(WebDriver driver) {
        return driver.findElements(By.cssSelector("#messages .message"));
    }

    @Test
    void signedInThePageShowsWhoYouAreAndChatsUnderThatName() throws Exception {
        signIn(token("u-ann", "Ann Lee", List.of("private-*")));
        driver.get(page("private-team"));
        browser.await("the private room is live", d -> "live".equals(status(d)));
        WebElement identity = driver.findElement(By.id("identity"));
        assertEquals("Posting as Ann Lee", identity.getText());
        assertFalse(driver.findElement(By.id("user")).isDisplayed(), "no name to type: the token says it");
        driver.findElement(By.id("text")).sendKeys("hello from a private room", Keys.ENTER);
        browser.await("the message is shown", d -> messages(d).stream()
                .anyMatch(m -> m.findElement(By.cssSelector(".text")).getText().equals("hello from a private room")));
        WebElement shown = messages(driver).get(messages(driver).size() - 1);
        assertEquals("Ann Lee", shown.findElement(By.cssSelector(".user")).getText());
        assertTrue(shown.getAttribute("class").contains("own"), "set apart as the reader's own");
    }

    /**
     * One room the token does not allow would refuse the whole stream (a 403, and EventSource
     * gives up on every room): the page refuses to follow it, saying why, and the others stay live.
     */
    @Test
    void aRoomTheTokenDoesNotAllowIsNotFollowedAndTheOthersStayLive() throws Exception {
        signIn(token("u-bob", "Bob", List.of("private-bob")));
        driver.get(page("private-bob"));
        browser.await("bob's room is live", d -> "live".equals(status(d)));
        switchRoom(driver, "private-team");
        browser.await("the page says why it does not follow the room", d -> d.findElement(By.id("room-error")).getText()
                .equals("#private-team: Your account may not read this room."));
        assertEquals(List.of("private-bob"), followedRooms(driver));
        assertEquals("live", status(driver));
        driver.findElement(By.id("text")).sendKeys("still here", Keys.ENTER);
        browser.await("the message is shown", d -> messages(d).stream()
                .anyMatch(m -> m.findElement(By.cssSelector(".text")).getText().equals("still here")));
    }

    @Test
    void withoutATokenThePageSaysItIsNotAllowedIn() {
        driver.get(page("private-team"));
        browser.await("the page says it is not allowed in", d -> "offline".equals(status(d))
                && d.findElement(By.id("status")).getText().equals("not allowed in"));
        assertTrue(driver.findElement(By.id("identity")).getText().startsWith("This room needs you to sign in"),
                driver.findElement(By.id("identity")).getText());
        assertFalse(driver.findElement(By.id("text")).isEnabled(), "nothing to send");
    }

    @Test
    void aTokenForOtherRoomsIsToldItsAccountMayNotReadThisOne() throws Exception {
        signIn(token("u-bob", "Bob", List.of("private-bob")));
        driver.get(page("private-team"));
        browser.await("the page says the account may not read it", d -> d.findElement(By.id("identity")).getText()
                .equals("Your account may not read this room."));
        assertEquals("offline", status(driver));
    }
}
