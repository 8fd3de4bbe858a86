/**
 * Where the bench scripts find the repository, their output folder and the demo bundle's files:
 * the paths the CLI tests use (test/support/engine/gas-cli-runner.ts), under the benches' names.
 */
import { join } from "node:path";
import { REPO_DIR } from "../test/support/engine/gas-cli-runner.ts";

export {
  DEMO_DIR as DEMO,
  DEMO_FASTA,
  DEMO_GFF3,
  DEMO_GTF,
  DEMO_KNOWN,
  REPO_DIR as ROOT,
} from "../test/support/engine/gas-cli-runner.ts";
/** Generated inputs and outputs of the benches (git-ignored). */
export const BENCH_OUT = join(REPO_DIR, "bench", "out");
