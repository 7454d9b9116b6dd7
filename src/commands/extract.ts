/** `nianbao extract <file-or-url>... [--json]`: extract reports and print them. */
import { errorReport } from '../extract.js';
import { inContractOrder } from '../report.js';
import { defaultPoolSize, envPoolSize, ExtractPool } from '../pool/pool.js';
import { runOrdered } from '../pool/pipeline.js';
import { workersFrom } from './ingest.js';
import { formatReport } from '../format.js';
import { closeHttp, DOCUMENT_EXTENSIONS, expandArgs, isUrl, readSource, ReadError, type ReadOptions } from '../io.js';
import { policyFor } from '../net/address-policy.js';
import type { Report } from '../report.js';
import { usageError, parseCommandArgs } from './args.js';

export const help = `Usage: nianbao extract <file-or-url-or-folder>... [--json]

Reads each document (HTML in any charset, PDF, plain text, Word, WPS, Excel, ET, images; a local
path or an http(s) URL), extracts the report's figures, runs the consistency checks and prints the
result. A folder stands for the documents directly in it (${DOCUMENT_EXTENSIONS.map((e) => '*' + e).join(', ')},
in name order).

Options:
  --json            one JSON object per document, one per line (JSON Lines), nothing else on stdout
  --timeout SECS    HTTP timeout per phase (connect, headers, body), default 30
  --max-bytes N     largest document accepted, default 104857600 (100 MiB)
  --workers N       extraction threads, default one per core; 0 extracts in the main thread (then
                    one hostile document can stop the others)
  -h, --help        show this help

Each document is extracted in a worker thread of its own budget (as \`ingest\` does): a document
that exhausts its thread's memory or time limit is an "error" line naming the limit, the thread is
replaced, and the other documents are read. Reports are printed in the order given.

Without --json, each report is printed for a person: its header, its tables and its failed checks.

Exit status: 0 when every document was read (whatever its checks say), 1 when any could not be
read (status "error"), 2 for a usage error.

Examples:
  nianbao extract samples/fugou-2021.html
  nianbao extract --json samples/ > reports.jsonl
  nianbao extract --json https://example.gov.cn/xxgk/nb/2021.html`;

/** The options shared by the commands that read documents. */
export const readOptionSpec = {
  timeout: { type: 'string' },
  'max-bytes': { type: 'string' },
} as const;

/** Parses --timeout / --max-bytes; throws a usage error for bad values. */
export function readOptionsFrom(values: { timeout?: string; 'max-bytes'?: string }): ReadOptions {
  const opts: ReadOptions = {};
  if (values.timeout !== undefined) {
    const t = Number(values.timeout);
    if (!Number.isFinite(t) || t <= 0) throw usageError(`--timeout wants a number of seconds, not "${values.timeout}"`);
    opts.timeoutMs = Math.round(t * 1000);
  }
  if (values['max-bytes'] !== undefined) {
    const n = Number(values['max-bytes']);
    if (!Number.isInteger(n) || n <= 0) throw usageError(`--max-bytes wants a whole number, not "${values['max-bytes']}"`);
    opts.maxBytes = n;
  }
  return opts;
}

/** A report for a document that could not be read at all: status `error`, the problem says why. */
export function unreadableReport(source: string, err: unknown, bytes: Uint8Array = new Uint8Array(0)): Report {
  const code = err instanceof ReadError ? err.code : 'read_failed';
  const message = err instanceof Error ? err.message : String(err);
  return errorReport(bytes, { source }, [{ code, message }]);
}

export interface Extracted {
  report: Report;
  /** The document's bytes; absent when it could not be read. */
  bytes?: Uint8Array;
}

/**
 * Reads and extracts one document in the pool (a worker thread; the pool validates the report against
 * the contract). Never throws: a document that cannot be read gives a report with status `error`.
 */
export async function loadAndExtract(source: string, opts: ReadOptions = {}, pool?: ExtractPool): Promise<Extracted> {
  let loaded;
  try {
    loaded = await readSource(source, opts);
  } catch (err) {
    return { report: unreadableReport(source, err) };
  }
  const own = pool ?? new ExtractPool({ size: 0 });
  const report = await own.extract(loaded.bytes, { source: loaded.source, url: loaded.url, contentType: loaded.contentType });
  return { report, bytes: loaded.bytes };
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(argv, { json: { type: 'boolean' }, workers: { type: 'string' }, ...readOptionSpec }, help, { positionals: true });
  if (!args) return 0;
  const { values, positionals } = args;
  if (positionals.length === 0) throw usageError('extract needs at least one file, folder or URL');
  const readOpts = readOptionsFrom(values);
  const workers = workersFrom(values.workers);
  const { sources, notes } = await expandArgs(positionals);
  for (const n of notes) process.stderr.write(`nianbao extract: ${n}\n`);
  // the hosts of the URLs given are the user's own: only they (and the address classes of literal ones) may be private
  readOpts.policy = policyFor(sources.filter(isUrl));
  let unreadable = 0;
  // one thread for one document (nothing to run beside it), else as many as the machine has, at most one per document
  const size = workers ?? envPoolSize() ?? Math.min(sources.length, defaultPoolSize());
  const pool = new ExtractPool({ size });
  try {
    await runOrdered(sources, {
      window: Math.max(4, pool.size * 2),
      batch: 1,
      maxWaitMs: 0,
      produce: (source) => loadAndExtract(source, readOpts, pool),
      consume: (batch) => {
        for (const { result: { report } } of batch) {
          if (report.status === 'error') {
            unreadable++;
            if (!values.json) {
              process.stderr.write(`nianbao extract: ${report.problems.map((p) => p.message).join('; ')}\n`);
            }
          }
          if (values.json) process.stdout.write(JSON.stringify(inContractOrder(report)) + '\n');
          else process.stdout.write(formatReport(report) + '\n');
        }
      },
    });
  } finally {
    await pool.close();
    await closeHttp();
  }
  return unreadable > 0 ? 1 : 0;
}
