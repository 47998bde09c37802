/** Merges overlapping or adjacent inclusive ranges (input in any order). */
export function mergeRanges(ranges: ReadonlyArray<{ fromSeq: number; toSeq: number }>): Array<{ fromSeq: number; toSeq: number }> {
  const sorted = [...ranges].sort((a, b) => a.fromSeq - b.fromSeq);
  const out: Array<{ fromSeq: number; toSeq: number }> = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.fromSeq <= last.toSeq + 1) last.toSeq = Math.max(last.toSeq, r.toSeq);
    else out.push({ ...r });
  }
  return out;
}
