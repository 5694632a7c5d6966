import { atLeastRows } from './queries';
import type { CheckDefinition } from './types';

/** About 19,000 bonds (seed 001 Part 1.1 row 8). */
export const bondChecks: CheckDefinition[] = [
  atLeastRows({ name: 'bonds-count', severity: 'warning', table: 'bonds', what: 'bonds', min: (c) => c.settings.CHECK_BONDS_MIN }),
];
