import type { Container } from "../container.ts";
import { bundleChecksums, DEFAULT_BUNDLE_DIR, startEngineThread } from "../modules/annotator/index.ts";
import type { AnnotatorMessage } from "../modules/jobs/annotation-worker.ts";
import { countingAnnotations, serveWorkerMetrics, startBacklogReporter } from "../metrics/index.ts";
import { deadLetterQueueName } from "../ports/queue.ts";
import { startConsumer } from "./consume-loop.ts";
import { createScaleInGuard } from "./scale-in-guard.ts";

/**
 * Claim job requests and run the engine. The engine runs on its own thread, which opens the
 * reference once and runs every concurrent job: never on this event loop, which the web role
 * shares in `--role=all`. Dead-lettered requests mark their job FAILED with a readable reason.
 */
export async function startAnnotator(c: Container) {
  const log = c.log.child({ role: "annotator" });
  const bundleDir = c.config.annotator.referenceDir ?? DEFAULT_BUNDLE_DIR;
  const engine = await startEngineThread({ bundleDir });
  log.info("reference open", { bundleDir, name: engine.name });
  // Each job's manifest names the reference with its files' checksums: taken once, in the
  // background (a large bundle takes a while the first time; bundle-checksums.ts keeps them).
  const reference = bundleChecksums(bundleDir).catch((err) => {
    log.warn("reference checksums unavailable; manifests will list no files", { err });
    return { name: engine.name, build: engine.build, files: [] };
  });
  // Push mode: SNS posts to a webhook on the annotator's own port and the queue is read when it rings.
  const push = c.annotatorPush ? await c.annotatorPush.start(c.ports.queue<AnnotatorMessage>("annotator"), log) : null;
  const queue = push?.queue ?? c.ports.queue<AnnotatorMessage>("annotator");
  const dlq = c.ports.queue<AnnotatorMessage>(deadLetterQueueName("annotator"));
  // While a claimed job runs, the group may not scale this instance in (scale-in-guard.ts).
  const guard = createScaleInGuard(c.ports.scaling, log);
  await guard.reset();
  // Completions also count variants and engine time for /metrics.
  const worker = await c.annotationWorker({
    jobs: guard.watch(countingAnnotations(c.ports.jobStore, c.metrics)),
    // A split job's chunks and merge hold the protection as a whole job does.
    splits: guard.watchSplits(c.ports.splits),
    queue,
    engine,
    log,
    reference: () => reference,
  });

  const swept = await worker.sweepWorkDir();
  if (swept) log.info("removed work folders of finished jobs", { count: swept });
  const stopJobs = startConsumer({ queue, handle: guard.handle(worker.handle), concurrency: c.config.annotator.concurrency, log });
  const stopDead = startConsumer({ queue: dlq, handle: (d) => worker.handleDeadLetter(d, dlq), concurrency: 1, log });
  // The figure the annotator fleet scales on (GAS/BacklogPerInstance on AWS).
  const backlog =
    c.config.metrics.backlogIntervalSeconds > 0
      ? startBacklogReporter({
          queue: c.ports.queue("annotator"),
          scaling: c.ports.scaling,
          intervalSeconds: c.config.metrics.backlogIntervalSeconds,
          log,
        })
      : null;
  const stopMetrics = serveWorkerMetrics(c, "annotator", log);
  return async () => {
    const grace = c.config.annotator.shutdownGraceSeconds * 1000;
    await push?.stop();
    await backlog?.stop();
    await Promise.all([stopJobs(grace), stopDead(0)]);
    await guard.settled();
    await stopMetrics();
    // After the jobs: they read the genome until they finish. An unclosed file handle is an
    // error in Bun once collected (it surfaced in the test run as an "unhandled error").
    await engine.close();
  };
}
