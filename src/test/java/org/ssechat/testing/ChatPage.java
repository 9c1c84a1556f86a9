package org.ssechat.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/** What the browser tests read from and do on the chat page, in one place. */
public final class ChatPage {

    private ChatPage() {
    }

    /** The connection state: connecting, live, reconnecting or offline. */
    public static String status(WebDriver driver) {
        return driver.findElement(By.id("status")).getAttribute("data-state");
    }

    /** What the state says in words ("reconnecting in 4 s"). */
    public static String statusText(WebDriver driver) {
        return driver.findElement(By.id("status")).getText();
    }

    /** How the tab reaches its stream: shared-worker, leader, follower or own. */
    public static String transport(WebDriver driver) {
        return driver.findElement(By.tagName("html")).getAttribute("data-transport");
    }

    /** Types a name and a message, and Enter. */
    public static void say(WebDriver driver, String name, String text) {
        WebElement user = driver.findElement(By.id("user"));
        user.clear();
        user.sendKeys(name);
        driver.findElement(By.id("text")).sendKeys(text, Keys.ENTER);
    }

    /** The texts of the messages shown, in order. */
    @SuppressWarnings("unchecked")
    public static List<String> texts(WebDriver driver) {
        // Read in one script: the page may put a room's list together again between two reads.
        return (List<String>) ((JavascriptExecutor) driver).executeScript(
                "return [...document.querySelectorAll('#messages .message .text')].map((element) => element.innerText);");
    }

    /** What the page says of a room with no messages, as shown; empty when it shows none. */
    public static String emptyRoomHint(WebDriver driver) {
        return driver.findElements(By.id("empty")).stream().map(WebElement::getText).findFirst().orElse("");
    }

    /** Follows a room and shows it, through the room list's form, as a reader does. */
    public static void switchRoom(WebDriver driver, String room) {
        openRooms(driver);
        WebElement field = driver.findElement(By.id("room"));
        field.clear();
        field.sendKeys(room, Keys.ENTER);
    }

    /** Shows a room already followed, by its link in the room list. */
    public static void showRoom(WebDriver driver, String room) {
        openRooms(driver);
        driver.findElement(By.cssSelector("#room-list li[data-room='" + room + "'] .go")).click();
    }

    /** On a narrow screen the room list is a panel behind the header's "Rooms" button: opens it. */
    private static void openRooms(WebDriver driver) {
        WebElement toggle = driver.findElement(By.id("rooms-toggle"));
        if (toggle.isDisplayed() && "false".equals(toggle.getAttribute("aria-expanded"))) {
            toggle.click();
        }
    }

    /** The rooms the list shows as followed, in order. */
    public static List<String> followedRooms(WebDriver driver) {
        return driver.findElements(By.cssSelector("#room-list li")).stream().map(item -> item.getAttribute("data-room")).toList();
    }

    /** The room this tab shows. */
    public static String shownRoom(WebDriver driver) {
        return driver.findElement(By.id("room-name")).getText().substring(1);
    }

    /** The unread count the room list shows for a room: 0 when it shows none. */
    public static int unread(WebDriver driver, String room) {
        Object count = ((JavascriptExecutor) driver).executeScript(
                "const badge = document.querySelector(\"#room-list li[data-room='\" + arguments[0] + \"'] .unread\");"
                        + " return badge ? badge.firstChild.textContent : '0';", room);
        return Integer.parseInt(String.valueOf(count));
    }

    /** Types a name into the name field and leaves it, as a reader does before writing. */
    public static void setName(WebDriver driver, String name) {
        WebElement user = driver.findElement(By.id("user"));
        user.clear();
        user.sendKeys(name, Keys.TAB);
    }

    /** Types into the message field without sending. */
    public static void type(WebDriver driver, String text) {
        driver.findElement(By.id("text")).sendKeys(text);
    }

    /** Who the page says is in the room shown ("2 here: you and Bob"); empty when it says nothing. */
    public static String people(WebDriver driver) {
        return shownText(driver, "people");
    }

    /** Who the page says is typing ("Ann is typing…"); empty when nobody is. */
    public static String typing(WebDriver driver) {
        return shownText(driver, "typing");
    }

    /** The texts of the messages shown as "sending…" (sent, not yet accepted), in order. */
    @SuppressWarnings("unchecked")
    public static List<String> sending(WebDriver driver) {
        return (List<String>) ((JavascriptExecutor) driver).executeScript(
                "return [...document.querySelectorAll('#pending .message')]"
                        + ".filter((element) => element.querySelector('.sending').textContent === 'sending…')"
                        + ".map((element) => element.querySelector('.text').innerText);");
    }

    /** Whether a message shown as "sending…" failed a try and waits to be tried again (its tooltip says so). */
    public static boolean sendingAgain(WebDriver driver) {
        return driver.findElements(By.cssSelector("#pending .sending")).stream()
                .anyMatch(state -> state.getAttribute("title").startsWith("Not sent yet"));
    }

    /** What an element of the page says, or "" when it is hidden. */
    private static String shownText(WebDriver driver, String id) {
        WebElement element = driver.findElement(By.id(id));
        return element.isDisplayed() ? element.getText() : "";
    }

    /** Waits until the message is shown, and checks it is shown once. */
    public static void awaitText(Browser browser, String text) {
        browser.await("'" + text + "' is shown", d -> texts(d).contains(text));
        assertEquals(1, texts(browser.driver()).stream().filter(text::equals).count(), "'" + text + "' is shown once");
    }
}
