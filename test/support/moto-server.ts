/**
 * A throwaway `moto_server` on a free port for one test file (pip install "moto[server]"): started
 * with `env` added to the environment, ready once its /moto-api/ answers.
 */
import { freePort } from "./free-port.ts";

export interface MotoServer {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startMotoServer(bin: string, env: Record<string, string> = {}): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const moto = Bun.spawn([bin, "-H", "127.0.0.1", "-p", String(port)], {
    env: { ...process.env, ...env },
    stdout: "ignore",
    stderr: "ignore",
  });
  const stop = async () => {
    moto.kill();
    await moto.exited;
  };
  for (const deadline = Date.now() + 60_000; ; await Bun.sleep(200)) {
    if (moto.exitCode !== null) throw new Error(`moto_server exited ${moto.exitCode}`);
    if ((await fetch(`${endpoint}/moto-api/`).catch(() => null))?.ok) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error("moto_server did not answer within 60 s");
    }
  }
  return { endpoint, stop };
}
