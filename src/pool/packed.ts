/**
 * A report ready for storage: its provenance already turned into the text the database stores
 * (provenance.ts). Worker threads send reports this way to the writer, which then has less to copy
 * across threads (the provenance is ~200 small objects; as text it is one string) and less to do.
 */
import type { Report } from '../report.js';
import { encodeBlob, type EncodedBlob } from '../store/blobs.js';
import { provenanceJson } from '../store/provenance.js';

export interface PackedReport {
  /** The report with `provenance` left empty (it is in `provenanceJson`); validated against the contract. */
  report: Report;
  /** The provenance as stored, or null when the report has none. */
  provenanceJson: string | null;
  /** The document's bytes as the blobs table keeps them (compressed), when made in the thread. */
  stored?: EncodedBlob;
}

export function packReport(report: Report, bytes?: Uint8Array): PackedReport {
  const has = Object.keys(report.provenance).length > 0;
  const out: PackedReport = { report: { ...report, provenance: {} }, provenanceJson: has ? provenanceJson(report.provenance) : null };
  if (bytes) out.stored = encodeBlob(bytes);
  return out;
}
