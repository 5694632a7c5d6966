/**
 * A workflow's progress as text bars, one line per step: what `npm run ops -- progress` prints and
 * what the Web UI shows as the run's Current Details. Pure, so workflows can render it too.
 */
import type { WorkflowProgress } from './progress';

/** Progress as text bars, one line per step. */
export function renderProgress(p: WorkflowProgress, width = 30): string[] {
  const lines = [`${p.chain}${p.tradingDate ? ` (${p.tradingDate})` : ''}`];
  for (const s of p.steps) {
    const frac = s.total > 0 ? Math.min(1, s.done / s.total) : s.state === 'done' ? 1 : 0;
    const filled = Math.round(frac * width);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    const count = s.total > 0 ? ` ${s.done}/${s.total}` : '';
    lines.push(`  ${s.name.padEnd(18)} ${bar} ${String(Math.round(frac * 100)).padStart(3)}% ${s.state}${count}${s.note ? `  — ${s.note}` : ''}`);
  }
  return lines;
}
