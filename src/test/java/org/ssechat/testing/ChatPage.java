package org.ssechat.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.openqa.selenium.By;
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
    public static List<String> texts(WebDriver driver) {
        return driver.findElements(By.cssSelector("#messages .message .text")).stream().map(WebElement::getText).toList();
    }

    /** What the page says of a room with no messages, as shown; empty when it shows none. */
    public static String emptyRoomHint(WebDriver driver) {
        return driver.findElements(By.id("empty")).stream().map(WebElement::getText).findFirst().orElse("");
    }

    /** Joins another room through the header's form, as a reader does. */
    public static void switchRoom(WebDriver driver, String room) {
        WebElement field = driver.findElement(By.id("room"));
        field.clear();
        field.sendKeys(room, Keys.ENTER);
    }

    /** Waits until the message is shown, and checks it is shown once. */
    public static void awaitText(Browser browser, String text) {
        browser.await("'" + text + "' is shown", d -> texts(d).contains(text));
        assertEquals(1, texts(browser.driver()).stream().filter(text::equals).count(), "'" + text + "' is shown once");
    }
}
