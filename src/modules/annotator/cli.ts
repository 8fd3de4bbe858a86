/**
 * `gas annotate` and `gas refdata prepare`: argument parsing, the progress bar, exit codes (0 done,
 * 1 bad input with file:line:problem on stderr, 2 usage). The work itself is annotateFile's.
 */
import { availableParallelism, loadavg } from "node:os";
import { basename, dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { annotateFile } from "./annotate-file.ts";
import { PICK_MODES, type PickCriterion, type PickMode, parsePickOrder, VEP_PICK_ORDER } from "./consequence/pick.ts";
import { AnnotationInputError } from "./annotation-errors.ts";
import { type AnnotationFields, DEFAULT_ANNOTATION_FIELDS, parseAnnotationFields } from "./output/annotation-fields.ts";
import type { OutputPaths } from "./output/output-sinks.ts";
import { createProgressBar } from "./progress-bar.ts";
import { DEFAULT_BUNDLE_DIR, openReference } from "./reference/bundle.ts";
import { StageClock } from "./stage-clock.ts";
import { defaultThreads, estimatedInputBytes } from "./parallel/thread-policy.ts";
import { prepareBundle } from "./reference/prepared-index.ts";

const USAGE = `Usage:
  gas annotate IN [-o OUT] [--ref BUNDLE_DIR | --fasta FASTA --genes GFF3_OR_GTF] [--known VCF|none]
               [--format vcf|tsv|json] [--fields ann,csq] [--log LOG] [--store FILE] [--threads N] [--quiet] [--timings]
               [--pick | --pick-allele | --per-gene | --flag-pick | --most-severe] [--pick-order LIST] [--phased]
      IN may be plain, gzip or BGZF VCF. OUT ending in .gz is written as BGZF.
      --store: also write the results store, a SQLite file of variant and transcript rows and counts.
      --fields: the annotation INFO fields: ann (SnpEff's ANN), csq (VEP's CSQ) or both (default).
      --pick: one consequence per variant, chosen as VEP's --pick does (MANE Select, MANE Plus
      Clinical, canonical, APPRIS, TSL, biotype, CCDS, consequence, length); --pick-allele: one per
      ALT; --per-gene: one per gene; --flag-pick: keep all and mark VEP's choice in CSQ's PICK column;
      --most-severe: one per ALT, its most severe consequence with every field.
      --pick-order: VEP's criteria, comma-separated, in the order to apply; default:
        ${VEP_PICK_ORDER.join(",")}
      --phased: with phased genotypes (0|1), also call the compound consequence of variants on one
        haplotype of a transcript (two SNVs in a codon, indels restoring the frame), as bcftools csq
        does: INFO/HCSQ, FORMAT/HCSQ (which haplotype carries which), INFO/HCSQ_UNPHASED.
      Without -o, writes the original GAS pair beside IN: <name>.annot.vcf and <name>.vcf.count.log.
      Default reference: the demo bundle (${DEFAULT_BUNDLE_DIR}).
      --threads: annotation threads (default: one; inputs over ~64 MB on a machine with three or
      more idle cores use the idle cores less one, which the JIT compiler needs).
      --timings: print where the time went, stage by stage (read, reference, annotate, format,
      write, gc), on standard error, also with --quiet.
  gas refdata prepare BUNDLE_DIR
      Compiles the bundle's gene models into its fast index (see manifest.json "index").`;

/** Entry point of `gas annotate …` and `gas refdata …`. Returns the process exit code. */
export async function runAnnotatorCli(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === "annotate") return await annotateCommand(rest);
    if (command === "refdata") return await refdataCommand(rest);
    console.error(`gas: unknown command "${command ?? ""}"\n${USAGE}`);
    return 2;
  } catch (err) {
    if (err instanceof InterruptedError) {
      console.error(`gas ${command}: ${err.message}; no output written`);
      return err.exitCode;
    }
    if (err instanceof AnnotationInputError || err instanceof UsageError) {
      console.error(`gas ${command}: ${err.message}`);
      return err instanceof UsageError ? 2 : 1;
    }
    console.error(`gas ${command}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

class UsageError extends Error {}

/** SIGINT/SIGTERM during a run: the run stops at the next batch and removes its temporary files. */
class InterruptedError extends Error {
  constructor(readonly signal: "SIGINT" | "SIGTERM") {
    super(`interrupted by ${signal}`);
  }
  get exitCode(): number {
    return this.signal === "SIGINT" ? 130 : 143;
  }
}

/**
 * Turns SIGINT/SIGTERM into an abort of the run, so the writers delete their temporary files
 * (the default action would kill the process and leave them behind). A second signal exits at once.
 */
function abortOnSignals(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (sig: "SIGINT" | "SIGTERM") => {
    if (controller.signal.aborted) process.exit(new InterruptedError(sig).exitCode);
    controller.abort(new InterruptedError(sig));
  };
  const onInt = () => onSignal("SIGINT");
  const onTerm = () => onSignal("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
    },
  };
}

async function annotateCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCli(args, {
    output: { type: "string", short: "o" },
    ref: { type: "string" },
    fasta: { type: "string" },
    genes: { type: "string" },
    known: { type: "string" },
    format: { type: "string" },
    fields: { type: "string" },
    log: { type: "string" },
    store: { type: "string" },
    threads: { type: "string" },
    pick: { type: "boolean", default: false },
    "pick-allele": { type: "boolean", default: false },
    "per-gene": { type: "boolean", default: false },
    "flag-pick": { type: "boolean", default: false },
    "most-severe": { type: "boolean", default: false },
    "pick-order": { type: "string" },
    phased: { type: "boolean", default: false },
    quiet: { type: "boolean", short: "q", default: false },
    timings: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) return (console.log(USAGE), 0);
  const input = positionals[0];
  if (!input || positionals.length > 1) throw new UsageError(`expected exactly one input VCF\n${USAGE}`);
  if (values.ref && (values.fasta || values.genes)) throw new UsageError("--ref cannot be combined with --fasta/--genes");
  if (!values.ref && Boolean(values.fasta) !== Boolean(values.genes)) throw new UsageError("--fasta and --genes go together");
  if (!(await Bun.file(input).exists())) throw new UsageError(`input file not found: ${input}`);
  const outputs: OutputPaths = {
    ...outputPaths(input, values.output, values.format, values.log),
    ...(values.store ? { store: values.store } : {}),
  };
  const threads = await threadCount(values.threads, input);
  const fields = {
    ...fieldsOption(values.fields),
    pick: pickOption(values),
    ...pickOrderOption(values["pick-order"]),
    ...(values.phased ? { phased: true } : {}),
  };
  if (fields.pickOrder && fields.pick === "none")
    throw new UsageError("--pick-order orders --pick, --pick-allele, --per-gene, --flag-pick or --most-severe: give one of them");
  if (fields.pick === "flag-pick" && !fields.csq)
    throw new UsageError("--flag-pick marks entries in CSQ's PICK column: it needs --fields csq or ann,csq");
  // The choice is applied where ANN and CSQ are written; the tsv/json rows (and the results store)
  // keep every transcript, so a row format with a choice would silently ignore it.
  if (fields.pick !== "none" && fields.pick !== "flag-pick" && (outputs.tsv || outputs.json))
    throw new UsageError(`--${fields.pick} chooses the VCF's ANN and CSQ entries; --format tsv|json rows list every transcript`);

  // Started before the reference opens: parsing gene models is part of the setup stage.
  const stages = values.timings ? new StageClock() : undefined;
  const reference = await openReference(
    values.fasta
      ? { fasta: values.fasta, genes: values.genes, known: values.known === "none" ? null : (values.known ?? null) }
      : { bundleDir: values.ref ?? DEFAULT_BUNDLE_DIR, ...(values.known ? { known: values.known === "none" ? null : values.known } : {}) },
  );
  const bar = values.quiet ? null : createProgressBar();
  const interrupt = abortOnSignals();
  try {
    const summary = await annotateFile({
      input,
      reference,
      outputs,
      signal: interrupt.signal,
      onProgress: bar?.update,
      threads,
      fields,
      command: ["gas", "annotate", ...args].join(" "),
      ...(stages ? { stages } : {}),
    });
    bar?.done();
    if (stages) console.error(stages.describe());
    if (!values.quiet) {
      for (const w of summary.warnings.slice(0, 20)) console.error(`warning: ${w}`);
      if (summary.warningsTotal > 20) console.error(`warning: … ${summary.warningsTotal - 20} more (see the log)`);
      console.error(
        `annotated ${summary.alleles} alleles in ${summary.records} records (${summary.known} known) ` +
          `in ${summary.seconds.toFixed(2)} s, ${summary.variantsPerSecond} variants/s → ${Object.values(outputs).join(", ")}`,
      );
    }
    return 0;
  } finally {
    interrupt.dispose();
    bar?.done();
    await reference.close();
  }
}

/** Where each output goes: -o in the chosen format, or the original GAS pair beside the input. */
function outputPaths(input: string, output: string | undefined, format: string | undefined, log: string | undefined): OutputPaths {
  const fmt = format ?? output?.match(/\.(tsv|json)$/)?.[1] ?? "vcf";
  if (!["vcf", "tsv", "json"].includes(fmt)) throw new UsageError(`--format must be vcf, tsv or json, not "${fmt}"`);
  if (output) return { [fmt]: output, ...(log ? { log } : {}) };
  const name = basename(input).replace(/\.(vcf|bcf)(\.b?gz)?$|\.b?gz$/i, "");
  const dir = dirname(input);
  const main = fmt === "vcf" ? join(dir, `${name}.annot.vcf`) : join(dir, `${name}.annot.${fmt}`);
  return { [fmt]: main, log: log ?? join(dir, `${name}.vcf.count.log`) };
}

function fieldsOption(flag: string | undefined): AnnotationFields {
  if (flag === undefined) return DEFAULT_ANNOTATION_FIELDS;
  try {
    return parseAnnotationFields(flag);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** The one of --pick, --pick-allele, --per-gene, --flag-pick, --most-severe given (VEP allows one at a time too). */
export function pickOption(flags: Partial<Record<Exclude<PickMode, "none">, boolean | undefined>>): PickMode {
  const given = PICK_MODES.filter((m): m is Exclude<PickMode, "none"> => m !== "none" && flags[m as Exclude<PickMode, "none">] === true);
  if (given.length > 1)
    throw new UsageError(
      `choose one of --pick, --pick-allele, --per-gene, --flag-pick, --most-severe (given: ${given.map((m) => `--${m}`).join(", ")})`,
    );
  return given[0] ?? "none";
}

function pickOrderOption(flag: string | undefined): { pickOrder?: PickCriterion[] } {
  if (flag === undefined) return {};
  try {
    return { pickOrder: parsePickOrder(flag) };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

async function threadCount(flag: string | undefined, input: string): Promise<number> {
  if (flag !== undefined) {
    const n = Number(flag);
    if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--threads must be a whole number from 1 to 256, not "${flag}"`);
    return n;
  }
  return defaultThreads({ cores: availableParallelism(), load: loadavg()[0]! }, await estimatedInputBytes(input));
}

async function refdataCommand(args: string[]): Promise<number> {
  const [sub, dir, ...extra] = args;
  if (sub === "--help" || sub === "-h" || (sub === "prepare" && (dir === "--help" || dir === "-h"))) return (console.log(USAGE), 0);
  if (sub !== "prepare" || !dir || extra.length) throw new UsageError(`expected: refdata prepare BUNDLE_DIR\n${USAGE}`);
  const r = await prepareBundle(dir);
  console.error(`prepared ${r.transcripts} transcripts → ${r.indexPath} in ${Math.round(r.ms)} ms`);
  return 0;
}

function parseCli<T extends NonNullable<Parameters<typeof parseArgs>[0]>["options"]>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
  }
}
