/**
 * A tiny process supervisor for the soak, doing what systemd's Restart=on-failure does in
 * production: every role runs in its own `bun src/main.ts --role=…` process, and one that exits
 * is started again (after a second, as RestartSec would). The soak's fault injector kills through
 * `kill9(slot)`, which is counted apart from processes that exited on their own (for instance on
 * losing the database).
 */
import { type GasProcess, type StartOptions, startGas } from "../test/support/gas-process.ts";

export interface Slot {
  name: string;
  role: string;
  proc: GasProcess;
  /** Log lines of every earlier incarnation (killed or exited), so counts over logs see them all. */
  pastLogs: Record<string, unknown>[];
  starts: number;
}

export interface SupervisorCounts {
  /** kill -9s by the fault injector, per slot name. */
  kills: Record<string, number>;
  /** Exits nobody asked for (restarted), per slot name, with the last exit code. */
  exits: Record<string, { n: number; codes: number[] }>;
}

/** Start every slot, watch them, restart what exits. */
export async function startSupervisor(specs: { name: string; role: string; port?: number }[], base: StartOptions) {
  const slots: Slot[] = [];
  const counts: SupervisorCounts = { kills: {}, exits: {} };
  const busy = new Set<string>();
  let running = true;

  /** Start a role, retrying while it cannot (the database may be down). */
  const launch = async (spec: { role: string; port?: number }): Promise<GasProcess> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await startGas({ ...base, role: spec.role, port: spec.port });
      } catch (err) {
        if (!running || attempt >= 60) throw err;
        await Bun.sleep(1000);
      }
    }
  };
  for (const s of specs) slots.push({ name: s.name, role: s.role, proc: await launch(s), pastLogs: [], starts: 1 });
  // Keep the web role on its port across restarts: clients hold its URL.
  const portOf = (slot: Slot) => Number(new URL(slot.proc.url).port);

  const replace = async (slot: Slot) => {
    slot.pastLogs.push(...slot.proc.logs());
    slot.proc = await launch({ role: slot.role, port: portOf(slot) });
    slot.starts++;
  };

  const watcher = (async () => {
    while (running) {
      await Bun.sleep(500);
      for (const slot of slots) {
        if (!running || busy.has(slot.name) || slot.proc.proc.exitCode === null) continue;
        busy.add(slot.name);
        const e = (counts.exits[slot.name] ??= { n: 0, codes: [] });
        e.n++;
        e.codes.push(slot.proc.proc.exitCode);
        await Bun.sleep(1000); // RestartSec
        try {
          if (running) await replace(slot);
        } finally {
          busy.delete(slot.name);
        }
      }
    }
  })();

  return {
    slots,
    counts,
    byName: (name: string) => slots.find((s) => s.name === name)!,
    /** kill -9 one slot's process and start it again; false when it was already being restarted. */
    async kill9(name: string): Promise<boolean> {
      const slot = slots.find((s) => s.name === name)!;
      if (busy.has(name)) return false;
      busy.add(name);
      try {
        await slot.proc.kill9();
        counts.kills[name] = (counts.kills[name] ?? 0) + 1;
        await replace(slot);
        return true;
      } finally {
        busy.delete(name);
      }
    },
    /** Every log line of a slot, all incarnations. */
    logsOf: (name: string) => {
      const slot = slots.find((s) => s.name === name)!;
      return [...slot.pastLogs, ...slot.proc.logs()];
    },
    async stopAll() {
      running = false;
      await watcher;
      for (const s of slots) if (s.proc.proc.exitCode === null) await s.proc.kill9();
    },
  };
}

export type Supervisor = Awaited<ReturnType<typeof startSupervisor>>;
