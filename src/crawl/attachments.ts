/**
 * Attachments: which links are report files (also download endpoints with no extension in the
 * path: `downfile.jsp?filename=…`, `/api/file/download?fileId=…`, `getFile?id=`), what form a link
 * or a downloaded file is in, the file's name from Content-Disposition (RFC 6266), and the fixed
 * order of preference between the forms one report is offered in.
 */
import type { DocFormat } from '../decode.js';

/** The forms an attachment may be in, as far as the link tells ('unknown': a download endpoint). */
export type LinkFormat = DocFormat | 'unknown';

const EXT_FORMAT: Record<string, LinkFormat> = {
  pdf: 'pdf',
  txt: 'text',
  docx: 'docx',
  doc: 'doc',
  wps: 'wps',
  xls: 'xlsx',
  xlsx: 'xlsx',
  et: 'xlsx',
  ofd: 'ofd',
  jpg: 'image',
  jpeg: 'image',
  png: 'image',
  gif: 'image',
  bmp: 'image',
  tif: 'image',
  tiff: 'image',
  webp: 'image',
};

/**
 * The order of preference when one report is offered in several forms (a page with its tables
 * comes before all of them: see discover.ts). Lower is better: a text layer first, then the office
 * forms, then a download whose form only its bytes will tell, then OFD (kept, not yet read), then
 * pictures of the report.
 */
export const FORM_PREFERENCE: LinkFormat[] = ['pdf', 'docx', 'doc', 'wps', 'xlsx', 'text', 'unknown', 'ofd', 'image'];

export function formRank(f: LinkFormat): number {
  const i = FORM_PREFERENCE.indexOf(f);
  return i < 0 ? FORM_PREFERENCE.length : i;
}

function extOf(name: string): string | undefined {
  const m = /\.([a-z0-9]{2,5})$/i.exec(name.trim());
  return m ? m[1]!.toLowerCase() : undefined;
}

/** The form a file name's extension says, if it names one. */
export function formatFromName(name: string | undefined): LinkFormat | undefined {
  if (!name) return undefined;
  const ext = extOf(name);
  return ext ? EXT_FORMAT[ext] : undefined;
}

/** Path segments and query keys of download endpoints. */
const DOWNLOAD_PATH = /(down(load)?(file)?|getfile|showfile|fileview|attach(ment)?|fujian)(\.(jsp|do|action|aspx?|php|ashx))?$/i;
const DOWNLOAD_QUERY = /^(fileid|file_id|attachid|attachmentid|filename|fileguid|fid|docid|id)$/i;
const STATIC_PAGE = /\.s?html?$/i;
const ATTACHMENT_TEXT = /附件|下载|\.(pdf|docx?|wps|xlsx?|et|ofd)\s*$/i;

/**
 * Whether a link is a file to download, and in what form: by the path's extension, by a
 * `filename=`-style query value with an extension, or (an endpoint with no extension) by the
 * path and query of download endpoints and the link's text. Undefined when it is no attachment.
 */
export function attachmentFormat(u: URL, text: string): LinkFormat | undefined {
  const byPath = formatFromName(u.pathname);
  if (byPath) return byPath;
  for (const [k, v] of u.searchParams) {
    const f = /file|name|path/i.test(k) ? formatFromName(v) : undefined;
    if (f) return f;
  }
  const last = u.pathname.split('/').pop() ?? '';
  const downloadPath = DOWNLOAD_PATH.test(last) || /\/(download|downfile|getfile|attachment)s?\//i.test(u.pathname);
  const downloadQuery = [...u.searchParams.keys()].some((k) => DOWNLOAD_QUERY.test(k));
  if (downloadPath && !STATIC_PAGE.test(last) && (downloadQuery || u.search === '')) return formatFromName(text.trim()) ?? 'unknown';
  // a link that says it is a file, to an endpoint that is not a page
  if (ATTACHMENT_TEXT.test(text) && downloadQuery && !STATIC_PAGE.test(last)) return formatFromName(text.trim()) ?? 'unknown';
  return undefined;
}

/** Bytes of a header value as Node gives them (one char per byte), read as UTF-8 when valid, else GBK. */
function rawHeaderText(s: string): string {
  if (!/[\u0080-\u00ff]/.test(s) || /[^\u0000-\u00ff]/.test(s)) return s;
  const bytes = Buffer.from(s, 'latin1');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

function percentDecode(s: string, charset: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '%' && /^[0-9a-f]{2}$/i.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(c, 'utf8'));
  }
  let label = charset.toLowerCase() || 'utf-8';
  if (/^(gbk|gb2312|gb18030|cp936)$/.test(label)) label = 'gb18030';
  try {
    return new TextDecoder(label).decode(new Uint8Array(bytes));
  } catch {
    return new TextDecoder('utf-8').decode(new Uint8Array(bytes));
  }
}

/**
 * The file name a Content-Disposition header gives (RFC 6266): `filename*=charset'lang'%XX…`
 * first (RFC 8187), else `filename="…"`, whose value may be raw UTF-8 or GBK bytes (common on
 * Chinese servers) or percent-encoded UTF-8 (what many servers send for IE). Only the last path
 * segment is kept.
 */
export function contentDispositionFilename(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const params = new Map<string, string>();
  const re = /;\s*([^\s=;]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^;]*)/g;
  const v = ';' + value.replace(/^\s*[^;]*/, (m) => (m.includes('=') ? ';' + m : ''));
  for (let m = re.exec(v); m; m = re.exec(v)) {
    const key = m[1]!.toLowerCase();
    const val = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : m[2]!.trim();
    if (!params.has(key)) params.set(key, val);
  }
  let name: string | undefined;
  const ext = params.get('filename*');
  if (ext) {
    const m = /^([^']*)'[^']*'(.*)$/.exec(ext);
    name = m ? percentDecode(m[2]!, m[1]!) : percentDecode(ext, 'utf-8');
  }
  if (!name) {
    const plain = params.get('filename');
    if (plain !== undefined) {
      const text = rawHeaderText(plain);
      name = /%[0-9a-f]{2}/i.test(text) ? percentDecode(text, 'utf-8') : text;
    }
  }
  if (!name) return undefined;
  const base = name.split(/[\\/]/).pop()!.trim();
  return base || undefined;
}

/** The name a downloaded file goes by: Content-Disposition, else a `filename=` query value, else the path. */
export function downloadName(url: string, headers: Record<string, string>): string | undefined {
  const cd = contentDispositionFilename(headers['content-disposition']);
  if (cd) return cd;
  try {
    const u = new URL(url);
    for (const [k, v] of u.searchParams) if (/file|name/i.test(k) && formatFromName(v)) return v.split('/').pop();
  } catch {
    /* not a URL */
  }
  return undefined;
}
