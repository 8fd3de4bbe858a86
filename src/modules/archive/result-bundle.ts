/**
 * A job's result files as one archive: a gzipped tar (Bun.Archive), so an operator can open a
 * retrieved archive with `tar xzf`. Entries are named after the objects' file names. Archives
 * hold free users' results only, which the free upload limit keeps small: the bundle is built in
 * memory.
 */
import type { ObjectStore } from "../../ports/object-store.ts";

const entryName = (key: string) => key.slice(key.lastIndexOf("/") + 1);

/** Pack the objects at `keys` (all must exist) and those of `optional` that exist into one gzipped tar. */
export async function packResult(store: ObjectStore, keys: string[], optional: string[] = []): Promise<Uint8Array> {
  const entries: Record<string, Uint8Array> = {};
  for (const key of [...keys, ...optional]) {
    const obj = await store.get(key);
    if (!obj) {
      if (optional.includes(key)) continue;
      throw new Error(`result object ${key} is missing; nothing to archive`);
    }
    entries[entryName(key)] = new Uint8Array(await new Response(obj.stream()).arrayBuffer());
  }
  return new Bun.Archive(entries, { compress: "gzip" }).bytes();
}

/**
 * Put every object of a bundle back at its key: all of `keys` (throws when the bundle lacks one)
 * and those of `optional` it holds (a bundle made before they existed has none).
 */
export async function unpackResult(store: ObjectStore, bundle: Uint8Array, keys: string[], optional: string[] = []): Promise<void> {
  const files = await new Bun.Archive(bundle).files();
  for (const key of [...keys, ...optional]) {
    const file = files.get(entryName(key));
    if (!file) {
      if (optional.includes(key)) continue;
      throw new Error(`archive has no entry ${entryName(key)} for ${key}`);
    }
    await store.put(key, new Uint8Array(await file.arrayBuffer()));
  }
}
