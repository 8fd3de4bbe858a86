/**
 * At most `slots` exports stream at once in a process; the others wait their turn. Each export
 * holds about a page of rows, a query thread's attention and (Excel) a zip writer: bounded one by
 * one, so the process is bounded only if their number is. A slot is taken when the download's first
 * bytes are pulled and given back when it ends or the client goes away.
 */
export function createExportSlots(slots: number) {
  let free = slots;
  const waiting: (() => void)[] = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  return {
    async *limit<T>(chunks: AsyncGenerator<T>): AsyncGenerator<T> {
      if (free > 0) free--;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        yield* chunks;
      } finally {
        release();
        await chunks.return(undefined as never);
      }
    },
    get waiting() {
      return waiting.length;
    },
  };
}
