package org.ssechat.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WindowType;
import org.ssechat.testing.Await;
import org.ssechat.testing.Browser;
import org.ssechat.testing.ChatHttp;
import org.ssechat.testing.SseParser;
import org.ssechat.testing.TcpProxy;
import org.ssechat.testing.WarServer;

/**
 * The WAR in stock Tomcat 10.1, Tomcat 11 and Jetty 12 serving TLS and HTTP/2 as docs/deployment.md's
 * HTTP/2 section configures them, with a self-signed certificate from keytool, used by the JDK's
 * HttpClient over h2: event streams and posts, many streams on one connection, and a stream the
 * client resets leaving the node at once. One container per kind serves all its tests; the
 * kinds run side by side.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(StockContainer.Kind.class)
@Isolated // not beside other test classes, which run stock containers too; its own kinds side by side
@Execution(ExecutionMode.CONCURRENT)
class Http2IT {

    private static final long START_MILLIS = 60_000;
    /**
     * The heartbeat of the node under test: an hour, so no keep-alive or probe is written to a
     * stream during the class, and whatever ends a stream here is not the heartbeat's doing.
     */
    private static final String HEARTBEAT_SECONDS = "3600";
    /**
     * Streams multiplexed on one connection: more than a browser's 6 HTTP/1.1 connections to a
     * host, and more than the 20 streams of a connection Tomcat runs on container threads at once
     * (Http2Protocol's maxConcurrentStreamExecution): an open event stream holds no thread.
     */
    private static final int STREAMS = 30;

    /**
     * The containers' idle timeout for HTTP/2 connections, shortened from their defaults (Tomcat
     * 20 s, Jetty 30 s) so a test can outwait it: an open event stream must outlive it with no
     * byte written, while a connection with no stream is closed by it.
     */
    private static final long IDLE_TIMEOUT_MILLIS = 2000;

    /** The running container of each kind, shared by that kind's tests (each start takes seconds). */
    private static final Map<StockContainer.Kind, Node> NODES = new ConcurrentHashMap<>();

    /** One kind's container serving HTTPS, with the keystore its clients trust. */
    private record Node(StockContainer container, SelfSignedKeystore keystore) {
    }

    @Parameter
    StockContainer.Kind kind;

    private StockContainer container;
    private SelfSignedKeystore keystore;
    private HttpClient client;
    private URI base;
    private URI plainBase;

    @BeforeParameterizedClassInvocation
    static void startTheContainerWithHttps(StockContainer.Kind kind) throws Exception {
        assertTheDocsShowWhatTheTestsRun();
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "keystore-");
        SelfSignedKeystore keystore = SelfSignedKeystore.create(dir, "changeit");
        StockContainer container = kind.create();
        NODES.put(kind, new Node(container, keystore)); // before start: stopped even if the start fails
        container.https(keystore);
        container.httpsIdleTimeout(IDLE_TIMEOUT_MILLIS);
        container.deploy(WarServer.war(), "ROOT.war");
        // No rate limit: one client posts to every one of its streams' rooms at once.
        container.start(Map.of(), Map.of("CHAT_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS, "CHAT_RATE_LIMIT_PER_SECOND", "0"));
        container.awaitStatus("/", "health", 200, START_MILLIS);
    }

    /** docs/deployment.md's HTTP/2 section shows, word for word, the keytool command, the connector and Jetty's lines used here. */
    private static void assertTheDocsShowWhatTheTestsRun() throws IOException {
        String docs = Files.readString(Path.of("docs/deployment.md"));
        for (String shown : List.of("keytool " + String.join(" ", SelfSignedKeystore.KEYTOOL_ARGUMENTS)
                        + " -keystore sse-chat.p12 -storepass changeit",
                StockTomcat.HTTPS_CONNECTOR, "--add-modules=" + StockJetty.HTTPS_MODULES, StockJetty.SSL_INI)) {
            assertTrue(docs.contains(shown), "docs/deployment.md shows:\n" + shown);
        }
    }

    @AfterParameterizedClassInvocation
    static void stopTheContainer(StockContainer.Kind kind) throws Exception {
        Node node = NODES.remove(kind);
        if (node != null) {
            node.container().close();
        }
    }

    @BeforeEach
    void connect() throws Exception {
        Node node = NODES.get(kind);
        container = node.container();
        keystore = node.keystore();
        plainBase = container.base("/");
        base = container.httpsBase("/");
        client = h2Client();
    }

    private HttpClient h2Client() throws Exception {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_2)
                .sslContext(keystore.trustingIt())
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void anEventStreamAndAPostGoOverHttp2() throws Exception {
        int before = streams();
        try (H2Stream stream = H2Stream.open(client, base.resolve("sse?room=h2"))) {
            assertEquals(HttpClient.Version.HTTP_2, stream.response.version(), "the stream's protocol");
            assertEquals(200, stream.response.statusCode());
            assertTrue(stream.response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"),
                    "Content-Type: " + stream.response.headers().map());
            assertEquals("retry: 3000", stream.awaitLine(), "the first line");

            HttpResponse<String> posted = publish(client, base, "h2", "over h2");
            assertEquals(HttpClient.Version.HTTP_2, posted.version(), "the post's protocol");
            String id = JsonParser.parseString(posted.body()).getAsJsonObject().get("id").getAsString();
            SseParser.Event event = stream.next();
            assertEquals(id, event.id());
            assertEquals("over h2", text(event));
        }
        awaitStreams(before, "the closed stream left");
    }

    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void manyStreamsAndPostsShareOneConnection() throws Exception {
        int before = streams();
        try (TcpProxy proxy = new TcpProxy(container.httpsPort)) {
            URI proxied = URI.create("https://127.0.0.1:" + proxy.port() + "/");
            HttpClient shared = h2Client();
            // One request first, so the connection exists before the streams ask for one at once.
            assertEquals(HttpClient.Version.HTTP_2, shared.send(HttpRequest.newBuilder(proxied.resolve("health")).build(),
                    HttpResponse.BodyHandlers.discarding()).version());
            List<CompletableFuture<H2Stream>> opening = new ArrayList<>();
            for (int i = 0; i < STREAMS; i++) {
                opening.add(H2Stream.openAsync(shared, proxied.resolve("sse?room=multiplexed-" + i)));
            }
            List<H2Stream> open = new ArrayList<>();
            try {
                for (CompletableFuture<H2Stream> future : opening) {
                    open.add(future.get(10, TimeUnit.SECONDS));
                }
                for (H2Stream stream : open) {
                    assertEquals(HttpClient.Version.HTTP_2, stream.response.version());
                    assertEquals("retry: 3000", stream.awaitLine());
                }
                assertEquals(before + STREAMS, streams(), "streams open on the node");

                List<CompletableFuture<HttpResponse<String>>> posts = new ArrayList<>();
                for (int i = 0; i < STREAMS; i++) {
                    posts.add(shared.sendAsync(post(proxied, "multiplexed-" + i, "to room " + i),
                            HttpResponse.BodyHandlers.ofString()));
                }
                for (int i = 0; i < STREAMS; i++) {
                    HttpResponse<String> posted = posts.get(i).get(10, TimeUnit.SECONDS);
                    assertEquals(202, posted.statusCode(), posted.body());
                    assertEquals(HttpClient.Version.HTTP_2, posted.version());
                    SseParser.Event event = open.get(i).next();
                    assertEquals(JsonParser.parseString(posted.body()).getAsJsonObject().get("id").getAsString(), event.id());
                    assertEquals("to room " + i, text(event));
                }
                assertEquals(1, proxy.connectionsAccepted(),
                        "connections the client opened for " + STREAMS + " streams, their posts and a /health");
            } finally {
                open.forEach(H2Stream::close);
            }
        }
        // Not asserted here that all 30 leave at once: Tomcat 11 once left one of 30 streams reset
        // together on one connection unreported (it logged a second RST for a stream as a stream
        // error); with a real heartbeat its probe finds such a stream. A single reset is the next test's.
    }

    /**
     * The chat page over HTTP/2 in Chromium (trusting the test's certificate only): six tabs of
     * six rooms, all followed in every tab on the page's one stream, live on one connection;
     * a message typed in the last reaches it; and the streams leave the node as soon as the
     * browser closes (each reset, as in the test below).
     */
    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void thePageFollowsSixRoomsOverHttp2InChromium() throws Exception {
        int before = streams();
        Browser browser = Browser.start("--ignore-certificate-errors-spki-list=" + keystore.spkiSha256());
        try {
            WebDriver driver = browser.driver();
            List<String> tabs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                if (i > 0) {
                    driver.switchTo().newWindow(WindowType.TAB);
                }
                driver.get(base.resolve("?room=h2-page-" + i).toString());
                tabs.add(driver.getWindowHandle());
            }
            for (String tab : tabs) {
                driver.switchTo().window(tab);
                browser.await("every tab is live", d -> "live".equals(
                        d.findElement(By.id("status")).getAttribute("data-state")));
                assertEquals("h2", ((JavascriptExecutor) driver).executeScript(
                        "return performance.getEntriesByType('navigation')[0].nextHopProtocol"), "the page came over h2");
            }
            // The page's one stream for the six rooms (a stream an earlier test left may still be leaving).
            Await.until("the node holds the page's stream", this::streams, open -> open >= 1);
            driver.findElement(By.id("user")).sendKeys("ann");
            driver.findElement(By.id("text")).sendKeys("typed over h2", Keys.ENTER);
            browser.await("the message is shown", d -> d.findElements(By.cssSelector("#messages .message .text"))
                    .stream().anyMatch(text -> text.getText().equals("typed over h2")));
        } finally {
            browser.close();
        }
        Await.until("the browser closed: its streams left the node", this::streams, open -> open <= before);
    }

    /**
     * Closing the body of an h2 response resets its stream (RST_STREAM, CANCEL). The node must forget the stream without any write to it: with the
     * heartbeat an hour away and no message in the room, only the container's report of the reset
     * can make it go (Tomcat reports it to the request body's ReadListener, Jetty to the
     * AsyncListener). Each round on a connection of its own: Tomcat closes a connection that
     * resets streams (Http2Protocol's overheadResetFactor; a young one after a single reset, at
     * times), which is not what this test is about.
     */
    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void aStreamTheClientResetsLeavesTheNodeAtOnce() throws Exception {
        int before = streams();
        List<Long> millis = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            HttpClient resetting = h2Client();
            H2Stream stream = H2Stream.open(resetting, base.resolve("sse?room=reset"));
            assertEquals(HttpClient.Version.HTTP_2, stream.response.version());
            stream.awaitLine();
            assertEquals(before + 1, streams(), "streams open on the node");
            long reset = System.nanoTime();
            stream.close();
            awaitStreams(before, "a stream whose client reset it left the node, with no message and no heartbeat");
            millis.add((System.nanoTime() - reset) / 1_000_000);
        }
        System.out.printf("[h2] %s: a reset stream left the node's registry after %s ms (polling /health every 50 ms)%n",
                kind, millis);
    }

    /**
     * Over HTTP/1.1 on TLS (a client that does not offer h2) a closed connection is seen without
     * a write too: Tomcat reads ahead through TLS when asked for the request body, and in Jetty the
     * stream's watch reads through Jetty's decrypting endpoint. With the heartbeat an hour away,
     * only the sweep can find it.
     */
    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void aStreamOverHttp11OnTlsWhoseClientClosesItsConnectionLeavesTheNodeWithinASweep() throws Exception {
        int before = streams();
        HttpClient http11 = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(keystore.trustingIt())
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        long closed;
        try (H2Stream stream = H2Stream.open(http11, base.resolve("sse?room=closing"))) {
            assertEquals(HttpClient.Version.HTTP_1_1, stream.response.version());
            stream.awaitLine();
            assertEquals(before + 1, streams(), "streams open on the node");
            closed = System.nanoTime();
        } // an HTTP/1.1 body closed before its end closes the connection
        awaitStreams(before, "a stream whose client closed its TLS connection left the node, with no message and no heartbeat");
        System.out.printf("[tls] %s: a stream over HTTP/1.1 on TLS left the node %d ms after its client closed the"
                + " connection%n", kind, (System.nanoTime() - closed) / 1_000_000);
    }

    /**
     * Neither container times out an open event stream, however long nothing is written to it:
     * Tomcat lifts the connection's timeout while a stream is active, Jetty ignores an idle
     * timeout while a request is being handled and no read or write is pending. The idle timeout
     * is live all the same: the connection is closed once its stream has ended.
     */
    @Test
    @Execution(ExecutionMode.SAME_THREAD)
    void anIdleStreamOutlivesTheIdleTimeoutWhichClosesTheConnectionOnceTheStreamEnds() throws Exception {
        int before = streams();
        try (TcpProxy proxy = new TcpProxy(container.httpsPort)) {
            URI proxied = URI.create("https://127.0.0.1:" + proxy.port() + "/");
            HttpClient idle = h2Client();
            try (H2Stream stream = H2Stream.open(idle, proxied.resolve("sse?room=idle"))) {
                stream.awaitLine();
                Thread.sleep(2 * IDLE_TIMEOUT_MILLIS); // the time nothing flows is what this test is about
                HttpResponse<String> posted = publish(idle, proxied, "idle", "after a quiet while");
                assertEquals(JsonParser.parseString(posted.body()).getAsJsonObject().get("id").getAsString(),
                        stream.next().id(), "the stream still delivers after " + 2 * IDLE_TIMEOUT_MILLIS + " ms idle");
                assertEquals(1, proxy.connectionsAccepted(), "the idle connection of the stream was kept");
            }
            awaitStreams(before, "the closed stream left");
            Thread.sleep(2 * IDLE_TIMEOUT_MILLIS);
            assertEquals(200, idle.send(HttpRequest.newBuilder(proxied.resolve("health")).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
            assertEquals(2, proxy.connectionsAccepted(), "connections: the container closed the idle one without a stream");
        }
        System.out.printf("[h2] %s: a stream idle for %d ms (its connection's idle timeout %d ms) kept its connection and"
                + " delivered; without a stream the connection was closed%n", kind, 2 * IDLE_TIMEOUT_MILLIS, IDLE_TIMEOUT_MILLIS);
    }

    /** The node's open streams, from /health over plain HTTP. */
    private int streams() throws IOException, InterruptedException {
        return ChatHttp.health(plainBase).get("streams").getAsInt();
    }

    /**
     * Waits until /health says {@code count} streams are open. The default wait (10 s) is far
     * under the heartbeat of an hour: a loaded machine may be slow, never that slow.
     */
    private void awaitStreams(int count, String what) throws InterruptedException {
        Await.until(what + ": /health's streams back to " + count, this::streams, open -> open == count);
    }

    private static HttpRequest post(URI base, String room, String text) {
        JsonObject json = new JsonObject();
        json.addProperty("room", room);
        json.addProperty("user", "h2");
        json.addProperty("text", text);
        return HttpRequest.newBuilder(base.resolve("chat"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.toString()))
                .build();
    }

    private static HttpResponse<String> publish(HttpClient client, URI base, String room, String text)
            throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(post(base, room, text), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, response.statusCode(), response.body());
        return response;
    }

    private static String text(SseParser.Event event) {
        return JsonParser.parseString(event.data()).getAsJsonObject().get("text").getAsString();
    }

    /**
     * An event stream read through HttpClient's {@code ofInputStream()}, line by line on a thread
     * of its own. Closing it closes the body's InputStream, which over h2 resets the stream.
     */
    private static final class H2Stream implements AutoCloseable {

        private static final long WAIT_MILLIS = 10_000;

        final HttpResponse<InputStream> response;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final BlockingQueue<SseParser.Event> events = new LinkedBlockingQueue<>();
        private final SseParser parser = new SseParser(events::add);

        private H2Stream(HttpResponse<InputStream> response) {
            this.response = response;
            Thread reader = new Thread(this::read, "h2-stream-reader");
            reader.setDaemon(true);
            reader.start();
        }

        static H2Stream open(HttpClient client, URI uri) throws IOException, InterruptedException {
            return new H2Stream(client.send(request(uri), HttpResponse.BodyHandlers.ofInputStream()));
        }

        static CompletableFuture<H2Stream> openAsync(HttpClient client, URI uri) {
            return client.sendAsync(request(uri), HttpResponse.BodyHandlers.ofInputStream()).thenApply(H2Stream::new);
        }

        private static HttpRequest request(URI uri) {
            return HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").GET().build();
        }

        private void read() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                    parser.line(line);
                }
            } catch (IOException closed) {
                // close(), or the server ended the stream
            }
        }

        /** The next line, after the ones taken before. */
        String awaitLine() throws InterruptedException {
            String line = lines.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            if (line == null) {
                throw new AssertionError("no line within " + WAIT_MILLIS + " ms on " + response.uri());
            }
            return line;
        }

        SseParser.Event next() throws InterruptedException {
            SseParser.Event event = events.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            if (event == null) {
                throw new AssertionError("no event within " + WAIT_MILLIS + " ms on " + response.uri());
            }
            return event;
        }

        @Override
        public void close() {
            try {
                response.body().close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
