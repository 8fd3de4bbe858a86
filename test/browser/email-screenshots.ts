/**
 * Regenerates the emails' screenshots under docs/emails/: each job email with sample content
 * (test/support/sample-emails.ts, the messages src/modules/notify/emails.test.ts checks), its
 * HTML part rendered in Debian's chromium as a mail client shows it. Not a test (it writes
 * tracked files); run it when an email changes:
 *
 *   npx -y bun test/browser/email-screenshots.ts
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { sampleEmails } from "../support/sample-emails.ts";

const ROOT = join(import.meta.dir, "..", "..");
const OUT = join(ROOT, "docs", "emails");
const CHROMIUM = Bun.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

const FILES: Record<keyof Awaited<ReturnType<typeof sampleEmails>>, string> = {
  completedFree: "results-ready-free.png",
  completedPremium: "results-ready-premium.png",
  failed: "job-failed.png",
  restored: "results-restored.png",
  addressVerification: "confirm-address.png",
};

await mkdir(OUT, { recursive: true });
const emails = await sampleEmails();
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
try {
  // A mail client's reading pane: about 700 px wide.
  const page = await browser.newPage({ viewport: { width: 700, height: 600 } });
  for (const [key, file] of Object.entries(FILES) as [keyof typeof FILES, string][]) {
    const email = emails[key];
    // The subject above the body, as a client shows it (not part of the email's HTML).
    await page.setContent(email.html, { waitUntil: "load" });
    await page.evaluate((subject) => {
      const bar = document.createElement("div");
      bar.textContent = subject;
      bar.setAttribute("style", "font:600 16px system-ui,sans-serif;padding:12px 16px;border-bottom:1px solid #dee2e6;background:#fff");
      document.body.prepend(bar);
    }, email.subject);
    await page.screenshot({ path: join(OUT, file), fullPage: true });
    console.log(`wrote docs/emails/${file}`);
  }
} finally {
  await browser.close();
}
