/**
 * Issue 5 end to end, with every role in one process and short delays (ARCHIVE_AFTER_SECONDS=2,
 * RESTORE_DELAY_SECONDS=1): a free user's result is archived after the retention period, its
 * download is refused with the upgrade offer, the user upgrades through the local checkout (the
 * same webhook path Stripe's events take), the result is restored (the page says "restoring"
 * meanwhile) and downloadable again, and the user is emailed; a premium user's results are never
 * archived. Runs on the embedded PGlite and, when its binaries are installed, on a throwaway
 * PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { createTestDatabase } from "../src/db/test-database.ts";
import { type Client, type GasProcess, createClient, postUpload, startGas, waitForJob } from "./support/gas-process.ts";
import { resultState, upgradeThroughLocalCheckout, waitForState } from "./support/result-lifecycle.ts";
import { type ThrowawayPostgres, findPostgresBinaries, startThrowawayPostgres } from "./support/throwaway-postgres.ts";

const DEMO_VCF = join(import.meta.dir, "..", "data", "demo", "vcf", "test.vcf");
const ARCHIVE_AFTER = 2;
const html = { headers: { accept: "text/html" } };

const backends = [{ name: "PGlite", postgres: false }, ...(findPostgresBinaries() ? [{ name: "PostgreSQL", postgres: true }] : [])];
if (backends.length === 1)
  console.warn("archive lifecycle on PostgreSQL skipped: no PostgreSQL binaries (install postgresql-15 or set PG_BIN_DIR)");

/** Upload the demo VCF through the signed form and submit it; returns the finished job's id. */
async function annotate(client: Client, name: string): Promise<string> {
  const form = (await (await client.json("/annotate")).json()) as { url: string; fields: Record<string, string> };
  const up = await postUpload(client, form.url, form.fields, new File([await Bun.file(DEMO_VCF).arrayBuffer()], name));
  expect(up.status).toBe(303);
  const key = new URL(up.headers.get("location")!).searchParams.get("key")!;
  const submitted = await client.json("/annotations", { method: "POST", body: JSON.stringify({ input_file: key }) });
  const jobId = ((await submitted.json()) as { job_id: string }).job_id;
  expect((await waitForJob(client, jobId)).job_status).toBe("COMPLETED");
  return jobId;
}

const files = async (dir: string) => ((await readdir(dir, { recursive: true }).catch(() => [])) as string[]).map(String);

/** One GAS process per backend, started together; each backend's scenarios run at the same time as the others'. */
interface Server {
  gas: GasProcess;
  pg: ThrowawayPostgres | null;
  db: { url: string; drop(): Promise<void> } | null;
}
const servers = new Map<string, Server>();

async function startServer(postgres: boolean): Promise<Server> {
  const env: Record<string, string> = { ARCHIVE_AFTER_SECONDS: String(ARCHIVE_AFTER), RESTORE_DELAY_SECONDS: "1" };
  const pg = postgres ? await startThrowawayPostgres() : null;
  const db = pg ? await createTestDatabase(pg.url) : null;
  if (db) env.DATABASE_URL = db.url;
  return { gas: await startGas({ env }), pg, db };
}

// The scenarios mostly wait (ARCHIVE_AFTER, the vault's restore delay, polling): run concurrently,
// the four take about as long as the slowest instead of the sum (measured: 29.9 s before).
describe("archive, upgrade and restore", () => {
  beforeAll(async () => {
    await Promise.all(backends.map(async (b) => servers.set(b.name, await startServer(b.postgres))));
  }, 120_000);
  afterAll(async () => {
    for (const { gas, db, pg } of servers.values()) {
      expect(await gas.stop()).toBe(0);
      await db?.drop();
      await pg?.stop();
      await rm(gas.dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  describe.each(backends)("on $name", ({ name }) => {
    test.concurrent("free user: archived after ARCHIVE_AFTER, refused with the upgrade offer, upgrade restores it, email sent", async () => {
      const { gas } = servers.get(name)!;
      const ada = createClient(gas.url);
      await ada.signIn("ada@example.org", "Ada");
      const jobId = await annotate(ada, "ada.vcf");
      const fresh = await ada.request(`/annotations/${jobId}/result.vcf`);
      expect(fresh.status).toBe(200);
      const original = await fresh.text();
      expect(original).toContain("ANN=");

      // Archived once the retention period is over: the hot copy goes, the log stays.
      await waitForState(ada, jobId, "ARCHIVED", 30_000);
      const page = await (await ada.request(`/annotations/${jobId}`, html)).text();
      expect(page).toContain('id="job-result-state">ARCHIVED<');
      expect(page).toContain('<a href="/subscribe">Upgrade to restore</a>');
      const refused = await ada.request(`/annotations/${jobId}/result`, html);
      expect(refused.status).toBe(402);
      const offer = await refused.text();
      expect(offer).toContain("Upgrade to Premium to restore and download them");
      expect(offer).toContain('id="upgrade-offer"');
      expect((await ada.json(`/annotations/${jobId}/result`)).status).toBe(402);
      expect((await ada.request(`/annotations/${jobId}/log`)).status).toBe(200);
      const hot = (await files(join(gas.dataDir, "objects", "gas-results"))).filter((f) => f.includes(jobId));
      expect(hot.filter((f) => /\.annot\.(vcf|vcf\.gz|vcf\.gz\.tbi|json)$|\.results\.sqlite$/.test(f))).toEqual([]);
      expect(hot.filter((f) => f.endsWith(".count.log"))).toHaveLength(1);
      expect((await files(join(gas.dataDir, "vault"))).filter((f) => f.endsWith(".archive"))).toHaveLength(1);

      // Upgrade through the local checkout; the confirmation appears once the event is applied.
      const confirm = await upgradeThroughLocalCheckout(ada);
      expect(confirm).toContain("Subscription Succeeded");
      expect(confirm).toContain("Your account is now Premium");
      expect(await (await ada.request("/subscribe", html)).status).toBe(303); // premium users go to their profile

      // Restoring (the vault takes RESTORE_DELAY), then available again with the same bytes.
      const seen = await waitForState(ada, jobId, "AVAILABLE", 30_000);
      expect(seen).toContain("RESTORING");
      const back = await ada.request(`/annotations/${jobId}/result.vcf`);
      expect(back.status).toBe(200);
      expect(await back.text()).toBe(original);
      expect((await ada.request(`/annotations/${jobId}/results`, html)).status).toBe(200);
      expect((await files(join(gas.dataDir, "vault"))).filter((f) => f.endsWith(".archive") || f.endsWith(".restore"))).toEqual([]);

      // One "restored" email next to the "job finished" one.
      const outbox = join(gas.dataDir, "outbox");
      let emails: string[] = [];
      for (const deadline = Date.now() + 20_000; Date.now() < deadline; await Bun.sleep(100)) {
        // Unfolded: a long Subject header continues on the next line (RFC 5322 folding).
        emails = await Promise.all(
          (await files(outbox)).map(async (f) => (await Bun.file(join(outbox, f)).text()).replace(/\r?\n[ \t]/g, " ")),
        );
        if (emails.some((e) => e.includes(`Subject: Results restored for job ${jobId}`))) break;
      }
      expect(
        emails.filter((e) => e.includes(`Subject: Results restored for job ${jobId}`) && e.includes("To: ada@example.org")),
      ).toHaveLength(1);

      // Premium from now on: a new result is never archived.
      const later = await annotate(ada, "later.vcf");
      await Bun.sleep((ARCHIVE_AFTER + 2) * 1000);
      expect(await resultState(ada, later)).toBe("AVAILABLE");
    }, 180_000);

    test.concurrent("premium user: results are never archived", async () => {
      const { gas } = servers.get(name)!;
      const grace = createClient(gas.url);
      await grace.signIn("grace@example.org", "Grace");
      expect(await upgradeThroughLocalCheckout(grace)).toContain("Subscription Succeeded");
      const profile = await (await grace.request("/profile", html)).text();
      expect(profile).toContain("Premium");
      expect(profile).toContain('id="manage-subscription"');
      const jobId = await annotate(grace, "grace.vcf");
      await Bun.sleep((ARCHIVE_AFTER + 3) * 1000);
      expect(await resultState(grace, jobId)).toBe("AVAILABLE");
      expect((await grace.request(`/annotations/${jobId}/result`)).status).toBe(200);
      expect(gas.logs().some((l) => l.msg === "result archived" && l.jobId === jobId)).toBe(false);
    }, 120_000);
  });
});
