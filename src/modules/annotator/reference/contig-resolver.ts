/**
 * Contig synonyms: `chr21`/`21`, `chrM`/`MT`, `NC_000021.9`/`21`. Resolution order: the exact
 * name, the bundle's alias lists, adding or removing a `chr` prefix, M↔MT, and finally the human
 * RefSeq chromosome accessions NC_000001–NC_000024 (→ 1–22, X, Y) and NC_012920 (→ MT).
 */

export type ContigAliases = Record<string, string[]>;

/** Returns a memoising resolver onto the FASTA's contig names; null when a name cannot be mapped. */
export function createContigResolver(fastaContigs: readonly string[], aliases: ContigAliases = {}): (name: string) => string | null {
  const known = new Set(fastaContigs);
  // Each alias group (key + its list) resolves to whichever member the FASTA has.
  const groupOf = new Map<string, string[]>();
  for (const [canonical, list] of Object.entries(aliases)) {
    const group = [canonical, ...list];
    for (const name of group) {
      const seen = groupOf.get(name);
      groupOf.set(name, seen ? [...seen, ...group] : group);
    }
  }
  const memo = new Map<string, string | null>();

  const direct = (name: string): string | null => {
    if (known.has(name)) return name;
    for (const member of groupOf.get(name) ?? []) if (known.has(member)) return member;
    return null;
  };

  const resolve = (name: string): string | null => {
    const exact = direct(name);
    if (exact !== null) return exact;
    const bare = name.replace(/^chr/i, "");
    const candidates = bare === name ? [`chr${name}`] : [bare];
    if (/^(M|MT)$/i.test(bare)) candidates.push("MT", "chrM", "M", "chrMT");
    const refseq = /^NC_0000(\d\d)\.\d+$/.exec(name);
    if (refseq) {
      const n = Number(refseq[1]);
      const chrom = n === 23 ? "X" : n === 24 ? "Y" : n >= 1 && n <= 22 ? String(n) : null;
      if (chrom) candidates.push(chrom, `chr${chrom}`);
    }
    if (/^NC_012920\.\d+$/.test(name)) candidates.push("MT", "chrM", "M");
    for (const c of candidates) {
      const hit = direct(c);
      if (hit !== null) return hit;
    }
    return null;
  };

  return (name: string) => {
    let r = memo.get(name);
    if (r === undefined) {
      r = resolve(name);
      memo.set(name, r);
    }
    return r;
  };
}
