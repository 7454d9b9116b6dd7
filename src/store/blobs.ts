/**
 * Raw bytes as the `blobs` table keeps them: compressed with brotli (node:zlib) when that saves a tenth or
 * more, `blobs.encoding` saying how ('br'; 'gzip' and 'deflate' are read too; NULL: the bytes as they are).
 * `blobs.size` and `blobs.sha256` are always those of the raw bytes. The extraction threads compress a
 * document's bytes beside extracting it (src/pool/worker.ts), so the one writer only stores them; every
 * reader goes through `readBlob` / `decodeBlob`.
 *
 * From the sqlite3 shell, a brotli blob is read back with any brotli tool, e.g.
 *   sqlite3 data/nianbao.db "SELECT writefile('page.br', bytes) FROM blobs WHERE sha256 = '…'" && brotli -d page.br
 */
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, inflateSync } from 'node:zlib';
import type Database from 'better-sqlite3';

export type BlobEncoding = 'br' | 'gzip' | 'deflate';

export interface EncodedBlob {
  /** null: `bytes` are the raw bytes. */
  encoding: BlobEncoding | null;
  bytes: Uint8Array;
}

/**
 * Brotli quality 5: on report pages of 25-60 KB about 6x smaller in ~3 ms (quality 11 saves another 10%
 * for 30x the time, which the extraction threads would pay for every document).
 */
const QUALITY = 5;

/** The bytes as stored: compressed when that saves at least a tenth (images, PDFs and archives rarely do). */
export function encodeBlob(raw: Uint8Array): EncodedBlob {
  if (raw.byteLength < 256) return { encoding: null, bytes: raw };
  const packed = brotliCompressSync(raw, {
    params: { [constants.BROTLI_PARAM_QUALITY]: QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: raw.byteLength },
  });
  return packed.byteLength <= raw.byteLength * 0.9 ? { encoding: 'br', bytes: packed } : { encoding: null, bytes: raw };
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
