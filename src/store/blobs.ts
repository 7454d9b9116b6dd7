/**
 * Raw bytes as the `blobs` table keeps them: compressed with gzip (node:zlib, level 1) when that saves a tenth
 * or more, `blobs.encoding` saying how ('gzip'; 'br' (brotli, what databases before core migration 7 hold)
 * and 'deflate' are read too; NULL: the bytes as they are).
 * `blobs.size` and `blobs.sha256` are always those of the raw bytes. The extraction threads compress a
 * document's bytes beside extracting it (src/pool/worker.ts), so the one writer only stores them; every
 * reader goes through `readBlob` / `decodeBlob`.
 *
 * From the sqlite3 shell, a gzip blob is read back with gzip (a 'br' one with any brotli tool), e.g.
 *   sqlite3 data/nianbao.db "SELECT writefile('page.gz', bytes) FROM blobs WHERE sha256 = '…'" && gzip -d page.gz
 */
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import type Database from 'better-sqlite3';

export type BlobEncoding = 'br' | 'gzip' | 'deflate';

export interface EncodedBlob {
  /** null: `bytes` are the raw bytes. */
  encoding: BlobEncoding | null;
  bytes: Uint8Array;
}

/**
 * How the extraction threads compress every document they are given, measured on the ingest bench's pages
 * (the samples with their site chrome, 29.5 KB on average; CPU ms a page, KB stored):
 *
 *   gzip level 1   0.15 ms  6.30 KB        brotli quality 1   0.25 ms  6.56 KB
 *   gzip level 3   0.33 ms  6.12 KB        brotli quality 4   0.64 ms  5.71 KB
 *   gzip level 6   0.44 ms  5.80 KB        brotli quality 5   0.79 ms  4.81 KB  (used before core migration 7)
 *
 * Brotli 5 cost the threads 0.6 ms a report more than gzip 1 (a sixth of their time) to save 1.5 KB: gzip
 * level 1 it is. A one-off conversion of stored bytes (core migration 6) may still ask for brotli 5.
 */
const GZIP_LEVEL = 1;
const BROTLI_QUALITY = 5;

/** The bytes as stored: compressed when that saves at least a tenth (images, PDFs and archives rarely do). */
export function encodeBlob(raw: Uint8Array, method: BlobEncoding = 'gzip'): EncodedBlob {
  if (raw.byteLength < 256) return { encoding: null, bytes: raw };
  let packed: Buffer;
  if (method === 'br') {
    packed = brotliCompressSync(raw, {
      params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: raw.byteLength },
    });
  } else if (method === 'gzip') packed = gzipSync(raw, { level: GZIP_LEVEL });
  else throw new Error(`blobs are not written with '${method}'`);
  return packed.byteLength <= raw.byteLength * 0.9 ? { encoding: method, bytes: packed } : { encoding: null, bytes: raw };
}

/** The raw bytes back from what `blobs` holds. */
export function decodeBlob(bytes: Uint8Array, encoding: string | null | undefined): Buffer {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (encoding ?? null) {
    case null:
      return b;
    case 'br':
      return brotliDecompressSync(b);
    case 'gzip':
      return gunzipSync(b);
    case 'deflate':
      return inflateSync(b);
    default:
      throw new Error(`blob stored with unknown encoding '${encoding}'`);
  }
}

/** Whether the database's blobs table has the encoding column (core migration 6); a crawl-only reader may open an older file. */
const hasEncoding = new WeakMap<Database.Database, boolean>();
function encodingColumn(db: Database.Database): boolean {
  let has = hasEncoding.get(db);
  if (has === undefined) {
    has = (db.prepare('SELECT 1 FROM pragma_table_info(?) WHERE name = ?').get('blobs', 'encoding') as unknown) !== undefined;
    hasEncoding.set(db, has);
  }
  return has;
}

/** The raw bytes stored under `sha256`, decompressed; undefined when none are. */
export function readBlob(db: Database.Database, sha256: string): Buffer | undefined {
  const row = (
    encodingColumn(db)
      ? db.prepare('SELECT bytes, encoding FROM blobs WHERE sha256 = ?').get(sha256)
      : db.prepare('SELECT bytes, NULL AS encoding FROM blobs WHERE sha256 = ?').get(sha256)
  ) as { bytes: Buffer; encoding: string | null } | undefined;
  return row ? decodeBlob(row.bytes, row.encoding) : undefined;
}
