package org.ssechat.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.ssechat.testing.ChatPage.awaitText;
import static org.ssechat.testing.ChatPage.emptyRoomHint;
import static org.ssechat.testing.ChatPage.followedRooms;
import static org.ssechat.testing.ChatPage.say;
import static org.ssechat.testing.ChatPage.status;
import static org.ssechat.testing.ChatPage.switchRoom;
import static org.ssechat.testing.ChatPage.texts;
import static org.ssechat.testing.ChatPage.unread;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.ssechat.testing.Browser;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.TcpProxy;
import org.ssechat.testing.Teardown;
import org.ssechat.testing.WarServer;

/** The chat page in headless Chromium, against the built WAR, through a proxy the test can cut. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BrowserIT {

    private WarServer server;
    private TcpProxy proxy;
    private Browser browser;
    private WebDriver driver;

    @BeforeAll
    void start() throws Exception {
        server = WarServer.Kind.JETTY.start("/sse-chat", Map.of("CHAT_RATE_LIMIT_PER_SECOND", "0"));
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
    }

    /** Also after a test skipped in its setup (no Chromium here), when there is no browser to close. */
    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.close();
            browser = null;
        }
    }

    /** The page of a room, through the proxy. */
    private String page(String room) {
        return "http://127.0.0.1:" + proxy.port() + "/sse-chat/?room=" + room;
    }

    private void openLive(String room) {
        driver.get(page(room));
        browser.await("the page shows it is live", d -> "live".equals(status(d)));
    }
    @Test
    void aMessageTypedInOneWindowAppearsInBoth() throws Exception {
        openLive("deploys"); // each room opened is followed: the list beside the conversation shows them
        openLive("random");
        openLive("lobby");
        String ann = driver.getWindowHandle();
        driver.switchTo().newWindow(WindowType.WINDOW);
        driver.manage().window().setSize(new Dimension(400, 700)); // a phone-sized window
        openLive("lobby");
        String bob = driver.getWindowHandle();

        driver.switchTo().window(ann);
        say(driver, "ann", "Hi Bob! Did the deploy go out?");
        awaitText(browser, "Hi Bob! Did the deploy go out?");
        driver.switchTo().window(bob);
        awaitText(browser, "Hi Bob! Did the deploy go out?");
        // Shift+Enter starts a new line; ChromeDriver types no characters beyond U+FFFF (emoji).
        say(driver, "bob", "Yes, two minutes ago ✓" + Keys.chord(Keys.SHIFT, Keys.ENTER) + "All green.");
        awaitText(browser, "Yes, two minutes ago ✓\nAll green.");
        driver.switchTo().window(ann);
        awaitText(browser, "Yes, two minutes ago ✓\nAll green.");
        say(driver, "ann", "Great, thanks!");
        awaitText(browser, "Great, thanks!");
        driver.switchTo().window(bob);
        awaitText(browser, "Great, thanks!");

        List<WebElement> own = driver.findElements(By.cssSelector("#messages .message.own .text"));
        assertEquals(List.of("Yes, two minutes ago ✓\nAll green."), own.stream().map(WebElement::getText).toList(),
                "bob's own message is set apart, ann's are not");
        assertEquals("bob", driver.findElement(By.id("user")).getAttribute("value"));

        // News in the rooms not shown: counted in both windows, on the phone behind the Rooms button.
        ChatHttp.publish(server.base(), "deploys", "ci", "v2.4.1 is live");
        ChatHttp.publish(server.base(), "random", "cy", "lunch?");
        ChatHttp.publish(server.base(), "random", "dee", "yes!");
        browser.await("the phone's Rooms button counts the unread", d -> d.findElement(By.id("unread-total")).getText().equals("3"));
        assertEquals(List.of("deploys", "random", "lobby"), followedRooms(driver), "the rooms in the order followed");
        assertEquals(2, unread(driver, "random"));
        assertOneColumn();
        byte[] phone = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
        driver.switchTo().window(ann);
        browser.await("the unread counts are shown beside the conversation", d -> unread(d, "random") == 2 && unread(d, "deploys") == 1);
        assertTrue(driver.findElement(By.id("room-list")).isDisplayed(), "a wide window shows the room list");
        assertOneColumn();
        byte[] desktop = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
        sideBySide(desktop, phone, new File("target/chat.png"));
    }

    @Test
    void aMessagePostedOverHttpAppearsAndRecentHistoryShowsOnFirstLoad() throws Exception {
        ChatHttp.publish(server.base(), "history", "ci", "before the page was opened");
        openLive("history");
        awaitText(browser, "before the page was opened");
        ChatHttp.publish(server.base(), "history", "ci", "deploy finished 🚀");
        awaitText(browser, "deploy finished 🚀");
    }

    @Test
    void markupInAMessageIsShownAsTextAndRunsNothing() throws Exception {
        openLive("xss");
        String title = driver.getTitle();
        String attack = "<img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script>";
        ChatHttp.publish(server.base(), "xss", "mallory", attack);
        awaitText(browser, attack);
        assertTrue(driver.findElements(By.cssSelector("#messages img, #messages script")).isEmpty(), "no markup was made");
        // Inserted as text, the markup's characters are escaped in the element's HTML: nothing in it can run.
        WebElement shown = driver.findElements(By.cssSelector("#messages .message .text")).stream()
                .filter(element -> element.getText().equals(attack)).findFirst().orElseThrow();
        assertTrue(shown.getDomProperty("innerHTML").startsWith("&lt;img src=x"), shown.getDomProperty("innerHTML"));
        assertEquals(title, driver.getTitle(), "no script ran");
    }

    @Test
    void aDroppedStreamShowsReconnectingThenLiveAndMissesNothing() throws Exception {
        openLive("blip");
        say(driver, "ann", "before the blip");
        awaitText(browser, "before the blip");

        proxy.cut();
        browser.await("the page shows it is reconnecting", d -> "reconnecting".equals(status(d)));
        for (int i = 1; i <= 3; i++) {
            ChatHttp.publish(server.base(), "blip", "bob", "sent while you were away " + i);
        }
        proxy.restore();
        browser.await("the page is live again", d -> "live".equals(status(d)));
        for (int i = 1; i <= 3; i++) {
            awaitText(browser, "sent while you were away " + i);
        }
        assertEquals(List.of("before the blip", "sent while you were away 1", "sent while you were away 2",
                "sent while you were away 3"), texts(driver), "each message once, in order");
    }

    @Test
    void aRejectedMessageShowsTheServersReason() throws Exception {
        openLive("errors");
        say(driver, "   ", "hello");
        browser.await("the error is shown",
                d -> d.findElement(By.id("error")).getText().equals("user must not be blank"));
        assertFalse(texts(driver).contains("hello"));
    }

    @Test
    void theClockShowsTheServersTime() throws Exception {
        openLive("clock");
        browser.await("the clock shows a time", d -> !d.findElement(By.id("clock")).getText().isBlank());
        String first = driver.findElement(By.id("clock")).getAttribute("datetime");
        browser.await("the clock ticks", d -> !d.findElement(By.id("clock")).getAttribute("datetime").equals(first));
    }

    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({"390, 844", "1280, 800"})
    void aReaderScrolledUpIsToldOfANewMessageByAButtonAboveTheComposer(int width, int height) throws Exception {
        browser.viewport(width, height);
        String room = "scrolled-" + width;
        for (int i = 1; i <= 30; i++) {
            ChatHttp.publish(server.base(), room, "ci", "earlier message " + i);
        }
        openLive(room);
        awaitText(browser, "earlier message 30");
        script("window.scrollTo(0, 0)");

        ChatHttp.publish(server.base(), room, "bob", "are you still there?");
        awaitText(browser, "are you still there?");
        WebElement jump = driver.findElement(By.id("jump"));
        browser.await("the New messages button is shown", d -> jump.isDisplayed());
        // The topmost element at the button's centre is the button: nothing covers it.
        assertEquals("BUTTON#jump", script("""
                const box = arguments[0].getBoundingClientRect();
                const top = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
                const name = (element) => element.tagName + (element.id ? '#' + element.id : '');
                return top === null ? 'nothing (the centre is outside the viewport)'
                  : top.closest('#send') ? name(top) + ' in the composer' : name(top);
                """, jump), "what is topmost at the button's centre, in a " + script("return innerWidth + 'x' + innerHeight")
                + " viewport");
        jump.click();
        browser.await("the page shows the newest message", d -> (Boolean) script(
                "const s = document.scrollingElement; return s.scrollHeight - s.scrollTop - s.clientHeight < 40;"));
        assertFalse(jump.isDisplayed(), "the button is gone once the reader is at the end");
    }

    @Test
    void anEmptyRoomSaysSoUntilItsFirstMessageAndAfterwardsNoMore() throws Exception {
        openLive("quiet");
        browser.await("the empty room's hint is shown",
                d -> emptyRoomHint(d).equals("No messages yet in #quiet. Say hello!"));
        ChatHttp.publish(server.base(), "quiet", "ann", "hello, anyone here?");
        awaitText(browser, "hello, anyone here?");
        browser.await("the hint is gone", d -> emptyRoomHint(d).isEmpty());

        // Off to another empty room, and back: this room has a message now, so no hint.
        switchRoom(driver, "elsewhere");
        browser.await("the other room's hint is shown",
                d -> emptyRoomHint(d).equals("No messages yet in #elsewhere. Say hello!"));
        driver.navigate().back();
        awaitText(browser, "hello, anyone here?");
        browser.await("the page is live again", d -> "live".equals(status(d)));
        assertEquals("", emptyRoomHint(driver), "no hint in a room with a message");
    }

    /**
     * The messages, the header's content and the composer's content share one column: the same
     * left and right edges (their content boxes, within a pixel).
     */
    private void assertOneColumn() {
        @SuppressWarnings("unchecked")
        Map<String, List<Number>> edges = (Map<String, List<Number>>) ((JavascriptExecutor) driver)
                .executeScript("""
                        const edges = (selector) => {
                          const element = document.querySelector(selector);
                          const box = element.getBoundingClientRect();
                          const style = getComputedStyle(element);
                          return [box.left + parseFloat(style.paddingLeft), box.right - parseFloat(style.paddingRight)];
                        };
                        return { header: edges('header'), messages: edges('#messages'), composer: edges('#send') };
                        """);
        List<Number> messages = edges.get("messages");
        for (String part : List.of("header", "composer")) {
            List<Number> other = edges.get(part);
            for (int side = 0; side < 2; side++) {
                assertEquals(messages.get(side).doubleValue(), other.get(side).doubleValue(), 1.0,
                        (side == 0 ? "left" : "right") + " edge of the messages and the " + part + ": " + edges);
            }
        }
    }

    private Object script(String script, Object... arguments) {
        return ((JavascriptExecutor) driver).executeScript(script, arguments);
    }

    /** Two screenshots side by side, as the README shows them. */
    private static void sideBySide(byte[] left, byte[] right, File file) throws Exception {
        BufferedImage a = ImageIO.read(new ByteArrayInputStream(left));
        BufferedImage b = ImageIO.read(new ByteArrayInputStream(right));
        int gap = 16;
        BufferedImage both = new BufferedImage(a.getWidth() + gap + b.getWidth(), Math.max(a.getHeight(), b.getHeight()),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = both.createGraphics();
        g.setColor(new Color(0xd0, 0xd4, 0xda));
        g.fillRect(0, 0, both.getWidth(), both.getHeight());
        g.drawImage(a, 0, 0, null);
        g.drawImage(b, a.getWidth() + gap, 0, null);
        g.dispose();
        ImageIO.write(both, "png", file);
    }
}
