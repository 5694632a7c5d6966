/**
 * The latest fiscal year whose annual reports (사업보고서) are due: within 90 days of a December
 * year end, so from April the year before, until then the year before last. Used by the DART
 * loads and by the check that their statements arrived, so the two never disagree.
 */
export function latestDueFiscalYear(asOf: string): number {
  const year = Number(asOf.slice(0, 4));
  return asOf.slice(5) >= '04-01' ? year - 1 : year - 2;
}
