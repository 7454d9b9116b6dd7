/**
 * Places: each report in China's administrative divisions (province, city, county, township) with
 * GB/T 2260 codes, from a gazetteer loaded from npm packages (gazetteer.ts), by the agency's name and
 * the report's context (resolve.ts), with the body's kind (kinds.ts). Storage: schema.ts (the 'places'
 * migration set), store.ts (rows), placing.ts (stored reports), query.ts (for the review page).
 */
import type { Place } from './place.js';
import { emptyPlace, placeProblem, resolvePlace, type PlaceInput } from './resolve.js';

export type { Place } from './place.js';
export { resolvePlace, placeProblem, SPECIAL_ZONES } from './resolve.js';

/** A report's place and, when it is ambiguous or unknown, the problem to report (never throws). */
export function placeReport(input: PlaceInput): { place: Place; problem?: { code: string; message: string } } {
  try {
    const place = resolvePlace(input);
    return { place, problem: placeProblem(place, input.agency) };
  } catch (err) {
    // a gazetteer that cannot be loaded must not lose the report
    const message = `the report could not be placed: ${err instanceof Error ? err.message : String(err)}`;
    return { place: emptyPlace(message), problem: { code: 'division_unknown', message } };
  }
}
