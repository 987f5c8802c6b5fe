export type RiskLevel = 'NONE' | 'LOW' | 'MEDIUM' | 'HIGH';

/**
 * The bucket of a Vigilance AI risk score (0-100), with the ranges of OneLogin's
 * Smart Factor settings (its Get Score Insights API: minimal up to 5, low to 25,
 * medium to 50, high and very high above). Stated in schema/events.graphql.
 */
export function riskLevelOf(score: number | null): RiskLevel | null {
  if (score === null) return null;
  if (score <= 5) return 'NONE';
  if (score <= 25) return 'LOW';
  if (score <= 50) return 'MEDIUM';
  return 'HIGH';
}

/** `risk_reasons` is newline-separated text; blank lines are dropped. */
export function riskReasonsOf(text: string | null | undefined): string[] | null {
  if (!text) return null;
  const reasons = text
    .split(/\r?\n/)
    .map((reason) => reason.trim())
    .filter((reason) => reason !== '');
  return reasons.length > 0 ? reasons : null;
}
