package dev.nanolith.examples.shop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nanolith.runtime.placement.Placement;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser — headless Chromium, driven through Debian's chromium-driver —
 * after the shop's create-order ran with its functions placed in services: the operation's call
 * graph spans its processes, and its activations are found with the lines their functions logged.
 * Screenshots go to {@code target/screenshots}, at a laptop's 1440 × 900.
 */
class DashboardTest {

    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    static ShopServer shop;
    static WebDriver browser;
    static WebDriverWait wait;
    /** The trace of the create-order the test ran. */
    static String trace;

    @BeforeAll
    static void start() throws Exception {
        // Three cold JVMs take seconds over a first order on a busy machine: the timeouts leave room for it.
        shop = ShopServer.start("dashboard", Map.of("SHOP_ORDER_TIMEOUT", "60s", "SHOP_CHECKOUT_TIMEOUT", "60s", "SHOP_PAYMENT_TIMEOUT", "30s"),
                Placement.Mode.SERVICES);
        for (int i = 0; i < 3; i++) {
            shop.ok("catalog.list-products", null);
        }
        ShopServer.Answer created = shop.call("orders.create-order", CreateOrderTest.order("tk_ada_4d3f",
                "[{\"sku\":\"MS-200\",\"quantity\":1}]", CreateOrderTest.TO_AMSTERDAM));
        assertEquals(200, created.status(), created.body().toString());
        trace = created.headers().firstValue("traceparent").orElseThrow().split("-")[1];
        Files.createDirectories(SCREENSHOTS);
        ChromeOptions options = new ChromeOptions().setBinary(executable("chromium"))
                .addArguments("--headless=new", "--window-size=1440,900", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu");
        ChromeDriverService driver = new ChromeDriverService.Builder().usingDriverExecutable(new File(executable("chromedriver"))).usingAnyFreePort()
                .build();
        browser = new ChromeDriver(driver, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        // htmx replaces a panel's elements when it refreshes it: one found a moment before may be gone.
        wait.ignoring(StaleElementReferenceException.class);
    }

    /** A program of Debian's chromium packages; the test fails naming the package when it is missing. */
    private static String executable(String name) {
        for (String dir : List.of("/usr/bin", "/usr/lib/chromium")) {
            if (Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name).toString();
            }
        }
        throw new IllegalStateException("no " + name + " here: install Debian's chromium and chromium-driver packages, as .ci/run does");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            shop.close();
        }
    }

    private static void screenshot(String name) throws IOException {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    /** Whether the page fits the window: nothing to scroll. */
    private static boolean fits() {
        return (Boolean) ((JavascriptExecutor) browser).executeScript(
                "return document.documentElement.scrollHeight <= window.innerHeight && document.documentElement.scrollWidth <= window.innerWidth;");
    }

    private static void logIn() {
        browser.get(shop.platform.url() + "/ui");
        wait.until(ExpectedConditions.urlContains("/ui/login"));
        browser.findElement(By.id("token")).sendKeys("not the token");
        browser.findElement(By.id("login")).click();
        assertEquals("That is not the admin token of this platform.",
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("problem"))).getText());
        browser.findElement(By.id("token")).sendKeys(shop.platform.adminToken());
        browser.findElement(By.id("login")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("functions")));
    }

    @Test
    void theDashboardShowsTheOperationAcrossItsProcessesAndFindsItsActivationsWithTheirLogs() throws Exception {
        logIn();
        // The apps, the services' processes, every function with its charts, the latest activations.
        assertTrue(browser.findElement(By.cssSelector("#apps [data-app='shop']")).getText().contains("r1"));
        Set<String> services = browser.findElements(By.cssSelector("#services .service[data-service]")).stream()
                .map(row -> row.getAttribute("data-service")).collect(Collectors.toSet());
        assertEquals(Set.of("storefront", "payments", "back-office"), services);
        // Some traffic, refused orders among it, over three samples of the metrics: the charts have lines to draw.
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread traffic = Thread.ofVirtual().start(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    shop.ok("catalog.list-products", null);
                    shop.call("orders.create-order", CreateOrderTest.order("tk_nobody", "[{\"sku\":\"MS-200\",\"quantity\":1}]",
                            CreateOrderTest.TO_AMSTERDAM));
                    Thread.sleep(200);
                }
            } catch (InterruptedException e) {
                // stopped
            } catch (Throwable e) {
                failed.set(e);
            }
        });
        try {
            new WebDriverWait(browser, Duration.ofSeconds(40)).ignoring(StaleElementReferenceException.class).until(d -> {
                String series = d.findElement(By.cssSelector("#functions tr[data-function='catalog.list-products'] .spark[data-kind='rate']"))
                        .getAttribute("data-series");
                return series.substring(0, series.indexOf(']')).split(",").length >= 4
                        && !d.findElements(By.cssSelector("#functions tr[data-function='catalog.list-products'] canvas")).isEmpty();
            });
        } catch (RuntimeException e) {
            if (failed.get() != null) {
                e.addSuppressed(failed.get());
            }
            throw e;
        } finally {
            traffic.interrupt();
        }
        String row = browser.findElement(By.cssSelector("#functions tr[data-function='catalog.list-products']")).getText();
        assertTrue(row.contains("shop · storefront"), row);
        assertTrue(fits(), "the overview fits a 1440 × 900 window");
        screenshot("overview");

        // The operation's activations, by its trace; one opens with the lines its function logged.
        WebElement search = browser.findElement(By.cssSelector("#search input[name='trace']"));
        search.sendKeys(trace);
        browser.findElement(By.cssSelector("#search button")).click();
        // The latest activations are there already: the search's answer replaces them with the trace's alone.
        wait.until(d -> {
            List<WebElement> rows = d.findElements(By.cssSelector("#results tr.activation"));
            return rows.size() >= 10 && rows.stream().allMatch(r -> trace.equals(r.getAttribute("data-trace")));
        });
        List<WebElement> found = browser.findElements(By.cssSelector("#results tr.activation"));
        WebElement recordOrder = found.stream().filter(r -> r.getText().contains("orders.record-order")).findFirst().orElseThrow();
        recordOrder.click();
        WebElement logs = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#detail pre.logs")));
        assertTrue(logs.getText().startsWith("INFO recorded order "), logs.getText());
        assertTrue(browser.findElement(By.cssSelector("#detail")).getText().contains("storefront"));
        screenshot("activation");

        // Its call graph: functions grouped by process, remote calls drawn apart from local ones.
        browser.findElement(By.cssSelector("#detail a[href='/ui/trace/" + trace + "']")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("svg.graph")));
        Set<String> processes = browser.findElements(By.cssSelector("svg.graph g.process")).stream().map(g -> g.getAttribute("data-service"))
                .collect(Collectors.toSet());
        assertEquals(Set.of("gateway", "storefront", "payments", "back-office"), processes);
        assertEquals("storefront", processOf("orders.create-order"));
        assertEquals("payments", processOf("payments.charge"));
        assertEquals("back-office", processOf("invoice.issue-invoice"));
        assertTrue(edges("remote").contains("orders.create-order→invoice.issue-invoice"), edges("remote").toString());
        assertTrue(edges("local").contains("orders.create-order→auth.authenticate"), edges("local").toString());
        assertTrue(edges("remote").contains("entry→orders.create-order"), "the gateway's call is a hop too");
        String summary = browser.findElement(By.id("summary")).getText();
        assertTrue(summary.matches("\\d+ calls in 3 processes, \\d+ remote, .*"), summary);
        WebElement logged = browser.findElements(By.cssSelector("#calls tr.call")).stream()
                .filter(r -> r.getText().contains("orders.record-order")).findFirst().orElseThrow();
        logged.findElement(By.tagName("summary")).click();
        assertTrue(logged.findElement(By.cssSelector("pre.logs")).getText().startsWith("INFO recorded order "));
        assertTrue(fits(), "the operation's page fits a 1440 × 900 window");
        screenshot("trace");

        // The app's audit: its operations measured, what the guidelines flag, and each service's checklist.
        browser.get(shop.platform.url() + "/ui/");
        browser.findElement(By.cssSelector("div.app[data-app='shop'] a[href='/ui/audit/shop']")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("table.operations")));
        WebElement createOrder = browser.findElements(By.cssSelector("table.operations tbody tr")).stream()
                .filter(r -> r.getText().startsWith("orders.create-order")).findFirst().orElseThrow();
        assertTrue(createOrder.getText().matches("orders\\.create-order \\d+ \\d+ \\d+ .* %.*"), createOrder.getText());
        List<String> findings = browser.findElements(By.cssSelector("#findings .finding")).stream().map(WebElement::getText).toList();
        assertTrue(findings.stream().anyMatch(f -> f.startsWith("no-owner shop")), findings.toString());
        assertEquals(3, browser.findElements(By.cssSelector("table.checklist tbody tr")).size());
        assertEquals(10, browser.findElements(By.cssSelector("table.checklist thead th")).size() - 3, "ten questions a service, after its"
                + " name, its calls and its CPU");
        assertTrue(browser.findElement(By.id("cpu")).getText().matches("the app's 3 workers used \\d\\.\\d\\d of \\d+ cores, the control plane \\d\\.\\d\\d, the whole host .*"),
                browser.findElement(By.id("cpu")).getText());
        screenshot("audit");
        browser.get(shop.platform.url() + "/ui/audit/shop?since=yesterday");
        assertEquals("since: 'yesterday' is neither an instant (2026-11-30T10:00:00Z) nor a duration (15m)",
                browser.findElement(By.cssSelector("main.audit p.problem")).getText());
    }

    /** The process box that holds {@code function}'s node in the graph. */
    private static String processOf(String function) {
        return browser.findElement(By.cssSelector("svg.graph g.node[data-function='" + function + "']")).findElement(By.xpath(".."))
                .getAttribute("data-service");
    }

    /** The graph's edges of a kind, as caller→callee. */
    private static Set<String> edges(String kind) {
        return browser.findElements(By.cssSelector("svg.graph g.edge[data-kind='" + kind + "']")).stream()
                .map(e -> e.getAttribute("data-caller") + "→" + e.getAttribute("data-callee")).collect(Collectors.toSet());
    }
}
