/**
 * `gas [--role=…]`: validates the role and the environment, builds the container and starts the
 * roles, then stops them in order on SIGINT/SIGTERM. Loaded by main.ts only for service runs.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { ConfigError, loadConfig } from "./config.ts";
import { buildContainer } from "./container.ts";
import { createLogger } from "./shared/logger.ts";

const ROLES = ["web", "annotator", "archiver", "notifier"] as const;
const Role = z.enum([...ROLES, "all"]);
type Stop = () => Promise<void>;

/** Runs the service roles named by `argv` (`--role=…`, default all) until a signal stops them. */
export async function serve(argv: string[]): Promise<void> {
  let role: z.infer<typeof Role>;
  try {
    const { values } = parseArgs({ args: argv, options: { role: { type: "string", default: "all" } }, strict: true });
    const parsed = Role.safeParse(values.role);
    if (!parsed.success) throw new Error(`--role must be one of ${Role.options.join(", ")} (got ${JSON.stringify(values.role)})`);
    role = parsed.data;
  } catch (err) {
    console.error(`gas: ${(err as Error).message}\nusage: gas serve [--role=${Role.options.join("|")}]  (gas --help lists every command)`);
    process.exit(2);
  }

  let config: ReturnType<typeof loadConfig>;
  try {
    // Each role is checked for what it uses: a worker is not handed the web role's secrets on AWS.
    config = loadConfig(Bun.env, { roles: role === "all" ? [...ROLES] : [role] });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`gas: ${err.message}`);
    process.exit(78); // EX_CONFIG
  }

  const log = createLogger(config.logLevel, { pid: process.pid });
  const container = await buildContainer(config, log);
  // Roles load lazily: a web process never loads the annotation engine, an annotator never Hono.
  const roles = role === "all" ? [...ROLES] : [role];
  const starters = {
    web: async (c) => (await import("./roles/web/web.role.ts")).startWeb(c, roles),
    annotator: async (c) => (await import("./roles/annotator.role.ts")).startAnnotator(c),
    archiver: async (c) => (await import("./roles/archiver.role.ts")).startArchiver(c),
    notifier: async (c) => (await import("./roles/notifier.role.ts")).startNotifier(c),
  } satisfies Record<(typeof ROLES)[number], (c: typeof container) => Promise<Stop>>;
  const stops: Stop[] = [];
  try {
    for (const r of roles) stops.push(await starters[r](container));
  } catch (err) {
    // A role that cannot start (METRICS_PORT in use, reference missing…): its message, not a stack.
    console.error(`gas: ${(err as Error).message}`);
    await Promise.allSettled(stops.map((stop) => stop()));
    await container.close().catch(() => {});
    process.exit(1);
  }
  log.info("started", { roles, database: container.database.kind, dataDir: config.backend.dataDir });

  let stopping = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, async () => {
      if (stopping) return;
      stopping = true;
      log.info("shutting down", { signal });
      // Web first (no new jobs come in), then workers finish or hand their jobs back.
      await Promise.allSettled(stops.map((stop) => stop()));
      await container.close();
      log.info("stopped");
      process.exit(0);
    });
  }
}
