/**
 * The soak's PostgreSQL outage: stop the throwaway server at once (as a crash would: `-m
 * immediate`, no checkpoint), keep it down a few seconds, start it again on the same data folder
 * and port. test/support/throwaway-postgres.ts owns the server; this only needs its data folder
 * (asked from the server itself) and the command line it was started with (`postmaster.opts`,
 * which PostgreSQL writes at every start for `pg_ctl restart`).
 */
import { dirname, join } from "node:path";
import postgres from "postgres";
import { findPostgresBinaries } from "../test/support/throwaway-postgres.ts";

async function run(cmd: string[]): Promise<void> {
  // initdb and the server run as the `postgres` user under root (see throwaway-postgres.ts).
  const full = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--", ...cmd] : cmd;
  const p = Bun.spawn(full, { stdout: "pipe", stderr: "pipe" });
  const code = await p.exited;
  if (code !== 0) throw new Error(`${cmd.join(" ")} exited ${code}: ${await new Response(p.stderr).text()}`);
}

/** The server's arguments after the binary, from `postmaster.opts` (`/path/postgres "-D" "…" "-p" "…" …`). */
export function parsePostmasterOpts(text: string): string[] {
  const args = [...text.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, "$1"));
  const d = args.indexOf("-D");
  if (d >= 0) args.splice(d, 2); // pg_ctl passes -D itself
  return args;
}

/**
 * Crash-stop the server at `url` (a superuser URL), wait `downMs`, start it again the same way.
 * Returns how long it was unreachable, in ms.
 */
export async function restartPostgres(url: string, downMs: number): Promise<number> {
  const bin = findPostgresBinaries();
  if (!bin) throw new Error("no PostgreSQL binaries found (install postgresql or set PG_BIN_DIR)");
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const [row] = await admin<{ data_directory: string }[]>`show data_directory`;
  await admin.end();
  const pgdata = row?.data_directory;
  if (!pgdata) throw new Error(`${url}: show data_directory returned nothing`);
  const opts = parsePostmasterOpts(await Bun.file(join(pgdata, "postmaster.opts")).text());
  const started = performance.now();
  await run([join(bin, "pg_ctl"), "-D", pgdata, "-m", "immediate", "-w", "stop"]);
  await Bun.sleep(downMs);
  await run([
    join(bin, "pg_ctl"),
    "-D",
    pgdata,
    "-l",
    join(dirname(pgdata), "server.log"),
    "-w",
    "-t",
    "120",
    "-o",
    opts.join(" "),
    "start",
  ]);
  return Math.round(performance.now() - started);
}
