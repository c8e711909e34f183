function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** Up to `max` candidates close to `word` (edit distance or substring), closest first. */
export function closeMatches(word: string, candidates: Iterable<string>, max = 3): string[] {
  const scored: [number, string][] = [];
  for (const c of candidates) {
    const d = distance(word, c);
    const limit = Math.max(2, Math.floor(word.length / 3));
    if (d <= limit || c.includes(word) || word.includes(c)) scored.push([d, c]);
  }
  return scored.sort((x, y) => x[0] - y[0] || x[1].localeCompare(y[1])).slice(0, max).map(([, c]) => c);
}

/**
 * "did you mean" across registries: each close name once, with the registries that have it when there are
 * several (`ml-engineer (in default, team)`), rather than the same name once per registry.
 */
export function closeMatchesAcross(word: string, entries: readonly { name: string; registry: string }[], max = 3): string[] {
  const registriesOf = new Map<string, string[]>();
  for (const e of entries) {
    const regs = registriesOf.get(e.name) ?? [];
    if (!regs.includes(e.registry)) regs.push(e.registry);
    registriesOf.set(e.name, regs);
  }
  return closeMatches(word, registriesOf.keys(), max).map((n) => {
    const regs = registriesOf.get(n)!;
    return regs.length > 1 ? `${n} (in ${regs.join(", ")})` : n;
  });
}

/**
 * The hint of a "not found": a registry listing the exact name in registry.json while its lookup found
 * nothing has a sharded index out of step with it (a shard missing); else "did you mean", else `fallback`.
 */
export function notFoundHint(word: string, entries: readonly { name: string; registry: string }[], fallback: string): string {
  const listing = [...new Set(entries.filter((e) => e.name === word).map((e) => e.registry))];
  if (listing.length) {
    return `registry ${listing.join(", ")} lists "${word}" in registry.json but its sharded index (index/) has no entry for it: its maintainers must run agentpkg registry index`;
  }
  const close = closeMatchesAcross(word, entries);
  return close.length ? `did you mean ${close.join(", ")}?` : fallback;
}
