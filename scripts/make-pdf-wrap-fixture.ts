/**
 * Writes samples/pdf-wrap/pdf-2021-narrow.pdf and its expected JSON: a sample page (samples/xihua-county-2021.html) whose request and
 * litigation tables have very narrow figure columns (two digits wide, `word-break: break-all`), printed
 * to PDF by Debian's chromium as scripts/make-pdf-samples.ts does, so numbers of three and four digits
 * wrap inside their cells (116 printed as 11 over 6). The expected JSON is the sample's own: the
 * figures are the same numbers, only printed narrower.
 *
 *   npx tsx scripts/make-pdf-wrap-fixture.ts
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumPrint } from './make-pdf-samples.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'samples/pdf-wrap');
const SAMPLE = 'xihua-county-2021';
const NAME = 'pdf-2021-narrow';

/** Figure cells of the second and later tables (tables 3 and 4: one figure per cell, no colspan) made two digits wide. */
function narrow(html: string): string {
  let table = 0;
  return html.replace(/<table\b[^>]*>|<td\b([^>]*)>(\d+)<\/td>/g, (m, attrs: string | undefined, digits: string | undefined) => {
    if (m.startsWith('<table')) {
      table++;
      return table >= 2 ? m.replace(/\swidth="100%"/, '') : m;
    }
    if (table < 2 || /colspan/.test(attrs ?? '')) return m;
    return `<td${(attrs ?? '').replace(/style="/, 'style="width:1.25em;max-width:1.25em;word-break:break-all;')}>${digits}</td>`;
  });
}

mkdirSync(OUT, { recursive: true });
const html = narrow(readFileSync(path.join(ROOT, 'samples', `${SAMPLE}.html`), 'utf8'));
// the narrowed page is a mechanical copy of the sample: printed from a temporary folder, not kept
const tmp = mkdtempSync(path.join(os.tmpdir(), 'nianbao-wrap-'));
try {
  const htmlPath = path.join(tmp, `${NAME}.html`);
  writeFileSync(htmlPath, html);
  chromiumPrint(htmlPath, path.join(OUT, `${NAME}.pdf`));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
copyFileSync(path.join(ROOT, 'samples', `${SAMPLE}.expected.json`), path.join(OUT, `${NAME}.expected.json`));
console.log(`samples/pdf-wrap/${NAME}.pdf`);
