/**
 * Starts a real, throwaway PostgreSQL server for tests: initdb into a temp folder, listen on a
 * free port on 127.0.0.1 only, trust auth, stopped and deleted by `stop()`. Uses the Debian
 * binaries (`postgresql-15`, or PG_BIN_DIR); returns null when they are absent so the caller can
 * skip with a clear message. initdb refuses to run as root, so under root the server runs as the
 * `postgres` system user the Debian package creates.
 */
import { chown, mkdtemp, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.ts";

export interface ThrowawayPostgres {
  url: string;
  stop(): Promise<void>;
}

const CANDIDATES = [Bun.env.PG_BIN_DIR, "/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"];

/** Directory holding initdb/pg_ctl, or null. */
export function findPostgresBinaries(): string | null {
  for (const dir of CANDIDATES) if (dir && existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl"))) return dir;
  return null;
}

async function run(cmd: string[], asPostgresUser: boolean): Promise<void> {
  const full = asPostgresUser ? ["runuser", "-u", "postgres", "--", ...cmd] : cmd;
  const p = Bun.spawn(full, { stdout: "pipe", stderr: "pipe" });
  const code = await p.exited;
  if (code !== 0) {
    throw new Error(`${cmd.join(" ")} exited ${code}: ${await new Response(p.stderr).text()}${await new Response(p.stdout).text()}`);
  }
}

/** Start a server, or return null when no PostgreSQL binaries are installed. */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres | null> {
  const bin = findPostgresBinaries();
  if (!bin) return null;
  const asRoot = process.getuid?.() === 0;
  const dir = await mkdtemp(join(tmpdir(), "gas-pg-"));
  const pgdata = join(dir, "data");
  if (asRoot) await chown(dir, Number(Bun.spawnSync(["id", "-u", "postgres"]).stdout.toString().trim()), 0);
  const port = await freePort();
  await run([join(bin, "initdb"), "-D", pgdata, "-U", "gas", "--auth=trust", "--no-sync", "-E", "UTF8"], asRoot);
  await run(
    [
      join(bin, "pg_ctl"),
      "-D",
      pgdata,
      "-l",
      join(dir, "server.log"),
      "-w",
      "-t",
      "60",
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
      "start",
    ],
    asRoot,
  );
  return {
    url: `postgres://gas@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await run([join(bin, "pg_ctl"), "-D", pgdata, "-m", "immediate", "-w", "stop"], asRoot).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

if (import.meta.main) {
  // `bun test/support/throwaway-postgres.ts` prints a URL for TEST_DATABASE_URL and keeps running.
  const pg = await startThrowawayPostgres();
  if (!pg) throw new Error("no PostgreSQL binaries found (install postgresql or set PG_BIN_DIR)");
  console.log(pg.url);
  for (const s of ["SIGINT", "SIGTERM"] as const) process.once(s, () => void pg.stop().then(() => process.exit(0)));
  await new Promise(() => {});
}
