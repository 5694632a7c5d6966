/**
 * Real response bodies of the Korean APIs (tests/fixtures/captures/, copied with their PROVENANCE.md
 * from the work area's shared/fixtures/captures so that a clone anywhere carries them).
 * COMPASS_CAPTURES_DIR points the tests at another copy.
 */
import fs from 'node:fs';
import path from 'node:path';

export const CAPTURES_DIR = process.env.COMPASS_CAPTURES_DIR || path.resolve(__dirname, '../fixtures/captures');

export function capture(name: string): string {
  return fs.readFileSync(path.join(CAPTURES_DIR, name), 'utf8');
}
