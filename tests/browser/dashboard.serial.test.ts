// The dashboard in a real browser: Debian's headless Chromium driven by playwright-core (no browser
// download). An admin signs in with a dev token and watches a hot lead captured through
// POST /functions/v1/leads arrive without a reload; a customer sees the no-access message and no data.
// Screenshots of each panel go to .local/artifacts/browser/.
import assert from "node:assert/strict";
import { type Browser, chromium, type Page } from "playwright-core";
import { api, config, dbTest, tokenFor } from "../support/harness.ts";

const DASHBOARD = `${config.apiUrl}/dashboard/`;
const ARTIFACTS = new URL("../../.local/artifacts/browser/", import.meta.url).pathname;

function chromiumPath(): string {
  for (const path of ["/usr/bin/chromium", "/usr/bin/chromium-browser"]) {
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // next candidate
    }
  }
  throw new Error("Chromium is missing: ./dev installs the Debian package chromium");
}

async function withBrowser(fn: (browser: Browser) => Promise<void>) {
  await Deno.mkdir(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // As root Chromium needs --no-sandbox; shared memory is small in containers.
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
  });
  try {
    await fn(browser);
  } finally {
    await browser.close();
  }
}

async function signInWithToken(page: Page, token: string) {
  await page.goto(DASHBOARD);
  await page.fill('#token-form textarea[name="token"]', token);
  await page.click('#token-form button[type="submit"]');
}

const uniqueEmail = () => `browser-${crypto.randomUUID().slice(0, 8)}@example.com`;
const uniquePhone = () => `+1713${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;

dbTest("an admin sees a captured hot lead arrive on the dashboard within 2 seconds, no reload", async () => {
  await withBrowser(async (browser) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    let navigations = 0;
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) navigations++;
    });
    await signInWithToken(page, await tokenFor("admin"));
    await page.waitForSelector('[data-testid="connection-state"][data-state="connected"]', {
      timeout: 15_000,
    });
    // Page functions are strings: they run in the browser, where `document` exists.
    const HOT = `document.querySelector('[data-testid="leads-hot-count"]')?.textContent`;
    await page.waitForFunction(`/^[0-9]+$/.test(${HOT} ?? "")`);
    const hotBefore = Number(await page.textContent('[data-testid="leads-hot-count"]'));
    const navigationsBefore = navigations;

    const captured = await api("leads", {
      body: {
        kind: "business",
        email: uniqueEmail(),
        phone: uniquePhone(),
        companyName: `Browser Hot Chemicals ${crypto.randomUUID().slice(0, 6)}`,
        industry: "chemicals",
        companySize: 900,
        formType: "quote",
        plants: [{ name: "Deer Park", latitude: 29.7, longitude: -95.1 }, { name: "Freeport" }],
      },
    });
    assert.equal(captured.status, 201, captured.text);
    assert.equal(captured.body.status, "hot");
    const capturedAt = Date.now();

    await page.waitForSelector(`[data-testid="leads-newest-hot"] li[data-lead-id="${captured.body.id}"]`, {
      timeout: 2_000,
    });
    await page.waitForFunction(`Number(${HOT}) === ${hotBefore + 1}`, undefined, {
      timeout: Math.max(100, 2_000 - (Date.now() - capturedAt)),
    });
    assert.ok(Date.now() - capturedAt <= 2_000, "both changed within 2 seconds");
    assert.equal(navigations, navigationsBefore, "the page did not reload");
    assert.deepEqual(errors, []);

    for (const panel of ["leads", "tracking"]) {
      await page.locator(`[data-panel="${panel}"]`).screenshot({ path: `${ARTIFACTS}panel-${panel}.png` });
    }
    await page.screenshot({ path: `${ARTIFACTS}dashboard-admin.png`, fullPage: true });
  });
});

dbTest("a customer is told plainly they have no access, and no panel data reaches the page", async () => {
  await withBrowser(async (browser) => {
    const page = await browser.newPage();
    await signInWithToken(page, await tokenFor("customer"));
    await page.waitForSelector('[data-testid="no-access"]:not([hidden])', { timeout: 10_000 });
    assert.match(await page.textContent('[data-testid="no-access"]') ?? "", /no staff role/);
    assert.equal(await page.locator("[data-panel]").count(), 0, "no panel is mounted");
    assert.equal(await page.locator('[data-testid="leads-hot-count"]').count(), 0);
    await page.screenshot({ path: `${ARTIFACTS}dashboard-customer.png`, fullPage: true });
  });
});

dbTest("the dashboard shows a dropped connection, reconnects by itself and stays live", async () => {
  await withBrowser(async (browser) => {
    const page = await browser.newPage();
    // Keep a handle on the page's WebSockets so the test can drop them as a network failure would.
    await page.addInitScript(`{
      const Native = WebSocket;
      window.__sockets = [];
      window.WebSocket = class extends Native {
        constructor(...args) { super(...args); window.__sockets.push(this); }
      };
    }`);
    await signInWithToken(page, await tokenFor("analyst"));
    await page.waitForSelector('[data-testid="connection-state"][data-state="connected"]', {
      timeout: 15_000,
    });
    await page.evaluate(`window.__sockets.forEach((socket) => socket.close())`);
    await page.waitForSelector('[data-testid="connection-state"][data-state="reconnecting"]', {
      timeout: 5_000,
    });
    await page.waitForSelector('[data-testid="connection-state"][data-state="connected"]', {
      timeout: 20_000,
    });
    assert.ok(await page.evaluate(`window.__sockets.length`) as number >= 2, "a new socket was opened");

    const captured = await api("leads", {
      body: {
        kind: "business",
        email: uniqueEmail(),
        phone: uniquePhone(),
        companyName: `Reconnected Refining ${crypto.randomUUID().slice(0, 6)}`,
        industry: "chemicals",
        companySize: 900,
        formType: "quote",
        plants: [{ name: "Baytown", latitude: 29.7, longitude: -95.0 }, { name: "Pasadena" }],
      },
    });
    assert.equal(captured.body.status, "hot", captured.text);
    await page.waitForSelector(`[data-testid="leads-newest-hot"] li[data-lead-id="${captured.body.id}"]`, {
      timeout: 2_000,
    });
    await page.screenshot({ path: `${ARTIFACTS}dashboard-after-reconnect.png`, fullPage: true });
  });
});
