/**
 * The API token when API_TOKEN is unset under `npm run dev`: generated once and kept in
 * .data/api-token (mode 0600), so curl commands keep working across restarts.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';

export function devApiToken(file: string): string {
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (existing.length >= 16) return existing;
  } catch {
    // none yet
  }
  const token = randomBytes(24).toString('base64url');
  fs.writeFileSync(file, token + '\n', { mode: 0o600 });
  return token;
}
