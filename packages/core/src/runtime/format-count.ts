/**
 * "101,000": rounded, digits grouped by threes, as toLocaleString("en-US") writes it, without loading
 * ICU's locale data (17 ms on its first call, which every run's summary table paid).
 */
export function formatCount(value: number): string {
  return String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
