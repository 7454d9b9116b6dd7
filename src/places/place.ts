/** A report's place in China's administrative divisions: the `place` field of the report JSON (zod). */
import { z } from 'zod';

export const PlaceEvidenceSchema = z.object({
  /** Where the evidence was read: the agency's name, the title, the text, a seeds-file label, the special-zone table. */
  source: z.enum(['agency', 'title', 'text', 'seed_label', 'special_zones', 'manual']),
  /** The words that name the place, as read (folded to simplified characters). */
  text: z.string(),
});

export const PlaceCandidateSchema = z.object({ code: z.string(), name: z.string() });

export const PlaceSchema = z.object({
  /** `resolved`; `ambiguous` (the name exists in several places and nothing told them apart); `unresolved`. */
  status: z.enum(['resolved', 'ambiguous', 'unresolved']),
  /** The deepest division the report is placed in, and its level. */
  division_code: z.string().nullable(),
  division_level: z.enum(['province', 'city', 'county', 'township']).nullable(),
  division_name: z.string().nullable(),
  province_code: z.string().nullable(),
  province: z.string().nullable(),
  city_code: z.string().nullable(),
  city: z.string().nullable(),
  county_code: z.string().nullable(),
  county: z.string().nullable(),
  township_code: z.string().nullable(),
  township: z.string().nullable(),
  /** A development zone, new area or special zone the body belongs to (its own name), placed in its parent. */
  zone: z.string().nullable(),
  /** The statistics' code of that zone when it has one (not a GB/T 2260 code: 320871). */
  zone_code: z.string().nullable(),
  agency_kind: z.enum(['government', 'department', 'township', 'other']).nullable(),
  /** Departments: the normalised type (src/places/kinds.ts), `other` for one the list does not know. */
  department_type: z.string().nullable(),
  /** The body's name after the place (人民政府, 自然资源局). */
  body: z.string().nullable(),
  /** The body's identity across years: division (and zone) + kind + department type. */
  key: z.string().nullable(),
  /** Ambiguous: the divisions the name could be. */
  candidates: z.array(PlaceCandidateSchema),
  evidence: z.array(PlaceEvidenceSchema),
  /** Why a place is ambiguous or unresolved. */
  reason: z.string().nullable(),
});
export type Place = z.infer<typeof PlaceSchema>;
export type PlaceEvidence = z.infer<typeof PlaceEvidenceSchema>;
