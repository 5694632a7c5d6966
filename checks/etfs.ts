import { atLeastRows } from './queries';
import type { CheckDefinition } from './types';

/** About 800 ETFs are listed (seed 001 Part 1.1 row 3). */
export const etfChecks: CheckDefinition[] = [
  atLeastRows({ name: 'etfs-count', severity: 'warning', table: 'etfs', what: 'active ETFs', where: (eb) => eb.ref('is_active'), min: (c) => c.settings.CHECK_ETFS_MIN }),
];
