/**
 * The downstream readers the output is tested with, run as users run them: SnpSift (Debian's
 * `snpsift` package: SnpSift 5.1) and bcftools +split-vep. Each is null when not installed, and
 * tests that need it are skipped with a message.
 */
import { existsSync } from "node:fs";
import { BCFTOOLS } from "./bcftools-csq-runner.ts";

export { BCFTOOLS };

/** Debian's jar. Its `snpSift` wrapper re-splits arguments on spaces, so filter expressions go to java directly. */
const DEBIAN_SNPSIFT_JAR = "/usr/share/java/snpsift.jar";

/** The command that runs SnpSift, or null when it is not installed. */
export const SNPSIFT: string[] | null = (() => {
  const java = Bun.which("java");
  if (java && existsSync(DEBIAN_SNPSIFT_JAR)) return [java, "-Xmx1g", "-jar", DEBIAN_SNPSIFT_JAR];
  const wrapper = Bun.which("snpSift") ?? Bun.which("SnpSift");
  return wrapper ? [wrapper] : null;
})();

/** Says on stderr which of the readers a test file uses are missing, so their skipped tests are explained. */
export function warnMissing(file: string, tools: readonly ("snpsift" | "bcftools")[]): void {
  if (tools.includes("snpsift") && !SNPSIFT)
    console.warn(`${file}: SnpSift is not installed (apt-get install snpsift): its checks are skipped`);
  if (tools.includes("bcftools") && !BCFTOOLS)
    console.warn(`${file}: bcftools is not installed (apt-get install bcftools): its checks are skipped`);
}

export interface ToolRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs SnpSift with these arguments (snpSift must be installed). */
export function snpSift(args: readonly string[]): ToolRun {
  return run([...SNPSIFT!, ...args]);
}

/** Runs `bcftools +split-vep` with these arguments (bcftools must be installed). */
export function splitVep(args: readonly string[]): ToolRun {
  return run([BCFTOOLS!, "+split-vep", ...args]);
}

function run(cmd: string[]): ToolRun {
  const p = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe" });
  return { exitCode: p.exitCode, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}
