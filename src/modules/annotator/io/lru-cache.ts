/**
 * A small bounded LRU map. `Map` keeps insertion order, so re-inserting on access moves an entry
 * to the young end and the oldest entry is always `keys().next()`. Used for decompressed FASTA
 * blocks and transcript sequences: memory stays bounded however long the input is.
 */
export class LruCache<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`LruCache capacity must be >= 1, got ${capacity}`);
  }

  get size(): number {
    return this.map.size;
  }

  get maxEntries(): number {
    return this.capacity;
  }

  /** Returns the value and marks it most recently used. */
  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, value);
    return value;
  }

  /** Looks a value up without changing its age. */
  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    this.evict();
  }

  /** Grows (never shrinks below the original) so that a batch the caller needs at once fits. */
  ensureCapacity(n: number): void {
    if (n > this.capacity) this.capacity = n;
  }

  clear(): void {
    this.map.clear();
  }

  private evict(): void {
    while (this.map.size > this.capacity) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      this.map.delete(oldest.value);
    }
  }
}
