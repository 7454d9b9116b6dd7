/**
 * The images of report pages whose tables are pictures: stored as blobs with the page (crawl-set
 * table page_resources), handed to extraction as `ExtractOptions.resources` (URL → bytes), and read
 * back for re-extraction.
 */
import { readBlob } from '../store/blobs.js';
import type Database from 'better-sqlite3';
import { sniffFormat } from '../decode.js';
import { sha256Hex, storeBlob } from '../store/ingest.js';

/** An image fetched with its page. */
export interface PageResource {
  url: string;
  bytes: Uint8Array;
}

/** Whether fetched bytes are an image (a page's `<img>` may answer with an HTML error page). */
export function isImage(bytes: Uint8Array, contentType: string | undefined, url: string): boolean {
  return sniffFormat(bytes, contentType, new URL(url).pathname) === 'image';
}

/** Stores a page's images (blobs + page_resources rows); part of the caller's transaction. */
export function storePageResources(db: Database.Database, pageSha256: string, resources: PageResource[]): void {
  const row = db.prepare(`INSERT OR REPLACE INTO page_resources (page_sha256, url, resource_sha256) VALUES (?, ?, ?)`);
  for (const r of resources) row.run(pageSha256, r.url, storeBlob(db, r.bytes, sha256Hex(r.bytes)));
}

/** `resources` for ExtractOptions: URL → bytes. */
export function resourceMap(resources: PageResource[]): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const r of resources) out[r.url] = r.bytes;
  return out;
}

/** The stored images of a page (URL → bytes); empty when it has none or the table does not exist. */
export function loadPageResources(db: Database.Database, pageSha256: string): Record<string, Uint8Array> {
  const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'page_resources'`).get();
  if (!exists) return {};
  const rows = db
    .prepare(
      `SELECT p.url, p.resource_sha256 AS sha256 FROM page_resources p JOIN blobs b ON b.sha256 = p.resource_sha256
        WHERE p.page_sha256 = ? ORDER BY p.url`,
    )
    .all(pageSha256) as { url: string; sha256: string }[];
  const out: Record<string, Uint8Array> = {};
  for (const r of rows) out[r.url] = new Uint8Array(readBlob(db, r.sha256)!); // decompressed (store/blobs.ts)
  return out;
}
