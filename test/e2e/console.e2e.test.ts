/**
 * The admin console in a real browser (Debian's chromium, driven by playwright-core) against
 * `npm start` on the demo org, at 375 px wide: the four walkthroughs of issue 17, each asserting
 * what the user sees. Screenshots go to test/e2e/artifacts/ (ignored by git).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalRuntime, startLocalRuntime } from "../support/processes";

const CHROMIUM = "/usr/bin/chromium";
const OPERATOR_KEY = "e2e-console-operator-key";
const ARTIFACTS = resolve(import.meta.dirname, "artifacts");
const WIDTH = 375;

let runtime: LocalRuntime;
let context: BrowserContext;
let page: Page;
let orgId: string;
const tempDirs: string[] = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

async function screenshot(name: string): Promise<void> {
  // Transitions finished, so a bar shows the width its number says.
  await page.screenshot({
    path: join(ARTIFACTS, `console-${name}.png`),
    fullPage: true,
    animations: "disabled",
  });
}

/** Nothing overflows sideways at 375 px. */
async function expectFitsWidth(): Promise<void> {
  // Runs in the page; the test's own types have no DOM.
  const width = await page.evaluate("document.documentElement.scrollWidth");
  expect(width, "page width at 375 px").toBeLessThanOrEqual(WIDTH);
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (as root: apt-get install -y chromium); .ci/run does this in CI`,
    );
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  // The demo org without its automatic mailbox connects: the second walkthrough connects Maya's
  // Google mailbox through the console, and the contacts' strength then follows from that mail.
  runtime = await startLocalRuntime({
    dataDir: tempDir("kith-console-"),
    env: {
      OPERATOR_API_KEY: OPERATOR_KEY,
      KITH_DEMO: "",
      KITH_DEMO_MAILBOXES: "0",
      KITH_DEMO_MAILBOX_MESSAGES: "60",
      KITH_DEMO_MAILBOX_MEETINGS: "10",
    },
    timeoutMs: 60_000,
  });
  const orgs = await fetch(`${runtime.baseUrl}/v1/orgs`, {
    headers: { authorization: `Bearer ${OPERATOR_KEY}` },
  }).then((response) => response.json() as Promise<{ items: { id: string; slug: string }[] }>);
  orgId = orgs.items.find((org) => org.slug === "acme")?.id ?? "";

  context = await chromium.launchPersistentContext(tempDir("kith-chromium-"), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: WIDTH, height: 812 },
  });
  page = context.pages()[0] ?? (await context.newPage());

  // Signing in: the operator token, typed into the console's form.
  await page.goto(`${runtime.baseUrl}/`);
  await page.getByLabel("Token").fill(OPERATOR_KEY);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "People" }).waitFor();
}, 120_000);

afterAll(async () => {
  await context?.close();
  await runtime?.stop();
  runtime?.kill();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe("the admin console on the demo org, at 375 px", () => {
  it("signs in with the operator token, which stays out of the URL, and lists the demo's people", async () => {
    expect(page.url()).toBe(`${runtime.baseUrl}/orgs/${orgId}/people`);
    expect(page.url()).not.toContain(OPERATOR_KEY);
    await expect.poll(() => page.getByRole("link", { name: "Maya Chen" }).count()).toBe(1);
    await expectFitsWidth();
  });

  it("maps an unmapped identity to a user: the entry leaves the list and the user has the identity", async () => {
    // prepare: the GitHub account whose unverified email is Priya's alias names her as its candidate
    await page.getByRole("link", { name: "Unmapped" }).click();
    const entries = page.getByTestId("unmapped-entry");
    await expect.poll(() => entries.count()).toBe(3);
    const github = entries.filter({ hasText: "github" });
    const externalId = (await github.locator("code").first().textContent()) ?? "";
    await expect.poll(() => github.getByLabel("Link to user").inputValue()).not.toBe("");

    // act
    await github.getByLabel("Link to user").selectOption({ label: "Priya Natarajan (candidate)" });
    await github.getByRole("button", { name: "Link" }).click();

    // assess
    await expect.poll(() => entries.count()).toBe(2);
    await expect.poll(() => entries.filter({ hasText: "github" }).count()).toBe(0);
    await expectFitsWidth();
    await screenshot("1-unmapped");
    await page.getByRole("link", { name: "People" }).click();
    await page.getByRole("link", { name: "Priya Natarajan" }).click();
    await expect.poll(() => page.getByText(externalId, { exact: true }).count()).toBe(1);
    await expect.poll(() => page.getByText("identity added").count()).toBeGreaterThan(0);
  });

  it("connects a sandbox mailbox through consent and shows each scope's progress bar reach 100%", async () => {
    // prepare
    await page.getByRole("link", { name: "Mailbox" }).click();
    const maya = await page
      .getByLabel("Member")
      .locator("option", { hasText: "Maya Chen" })
      .getAttribute("value");
    await page.getByLabel("Member").selectOption(maya ?? "");
    await page.getByText("No mailbox connected.").waitFor();

    // act: consent opens in a new tab; the sandbox consents and returns to the callback
    const popup = page.waitForEvent("popup");
    await page.getByRole("button", { name: "Connect Google Workspace" }).click();
    const consent = await popup;
    await consent.waitForLoadState();
    await expect.poll(() => consent.textContent("body")).toMatch(/connected/i);
    await consent.close();

    // assess: the account appears and both bars climb to 100% while the page polls
    const account = page.getByTestId("mailbox-google");
    await account.waitFor({ timeout: 30_000 });
    await expect.poll(() => account.textContent()).toContain("maya.chen@acme.example");
    await screenshot("2-mailbox-syncing");
    for (const scope of ["mail", "calendar"]) {
      await expect
        .poll(
          () => account.getByRole("progressbar", { name: `${scope} backfill` }).getAttribute("aria-valuenow"),
          {
            timeout: 100_000,
            interval: 500,
          },
        )
        .toBe("100");
    }
    await expect.poll(() => account.textContent()).toContain("100%");
    await expectFitsWidth();
    await screenshot("2-mailbox-complete");
  }, 150_000);

  it("opens a contact and reads the reasons of its key connection", async () => {
    // prepare: Design partners by reachability, best first, once Maya's mail is scored
    await page.getByRole("link", { name: "Contacts" }).click();
    await page.getByRole("link", { name: "Design partners" }).click();
    const first = page.getByTestId("contact-row").first();
    await expect
      .poll(
        async () => {
          await page.reload();
          return first.getByTestId("reachability").textContent({ timeout: 10_000 });
        },
        { timeout: 60_000, interval: 2_000 },
      )
      .toBe("high");
    await expectFitsWidth();
    await screenshot("3-contacts");

    // act
    await first.getByRole("link").click();
    const key = page.getByTestId("key-connection");
    await key.getByText("Why warm?").click();

    // assess: Maya is the key connection, warm, with the clauses that made her so
    await expect.poll(() => key.textContent()).toContain("Maya Chen");
    const reasons = key.locator(".reasons li");
    await expect.poll(() => reasons.count()).toBeGreaterThan(0);
    await expect.poll(() => reasons.first().isVisible()).toBe(true);
    expect(await reasons.first().locator("code").textContent()).toMatch(/^[a-z0-9_]+$/);
    expect(await reasons.first().textContent()).toMatch(/warm|known|cold/);
    await expectFitsWidth();
    await screenshot("4-key-connection");
  });

  it("sets an override and sees the contact's reachability change, then clears it", async () => {
    // prepare: the contact opened above is high through Maya's warm connection
    const summary = page.getByTestId("reachability-summary").getByTestId("reachability");
    await expect.poll(() => summary.textContent()).toBe("high");
    const override = page.getByTestId("key-connection").getByLabel("Override for Maya Chen");

    // act
    await override.selectOption("cold");

    // assess: with Maya's only connection overridden to cold, the contact is low
    await expect.poll(() => summary.textContent()).toBe("low");
    await expect.poll(() => page.getByTestId("connection").first().textContent()).toContain("computed warm");
    await expectFitsWidth();
    await screenshot("5-override");

    // act again: clearing the override restores the computed tier
    await page.getByTestId("connection").first().getByLabel("Override for Maya Chen").selectOption("");
    await expect.poll(() => summary.textContent()).toBe("high");
  });
});
