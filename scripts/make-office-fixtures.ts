/**
 * Writes the office fixtures of samples/office/ from the project's own sample pages, with LibreOffice
 * headless (`npx tsx scripts/make-office-fixtures.ts`; needs soffice: Debian libreoffice-writer-nogui
 * and libreoffice-calc-nogui). The files are committed, so the tests need LibreOffice only where the
 * feature itself runs it (DOC, WPS, XLS at extraction time).
 *
 * For each sample: the HTML page opened by Writer and saved as DOCX and/or DOC ("MS Word 97"), or
 * opened by Calc (HTML import) and saved as XLSX and/or XLS ("MS Excel 97"). LibreOffice writes no WPS
 * or ET, so the WPS fixture is a DOC saved under the .wps name (Kingsoft Writer files are OLE2 with a
 * WordDocument stream like a DOC; what the test checks is the WPS path: sniffing by name, conversion,
 * kind `wps`). Beside them, `NAME.expected.json` is the sample's own expectation (samples/NAME.expected.json),
 * copied, and `broken.doc` is a DOC cut short (one LibreOffice cannot open).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'samples', 'office');

type Form = 'docx' | 'doc' | 'wps' | 'xlsx' | 'xls';

/** Sample → the forms made of it. Merged cells everywhere; both template versions; a report whose checks fail. */
const FIXTURES: Record<string, Form[]> = {
  'xihua-county-2021': ['docx', 'xlsx'],
  'zhoukou-ecology-2019': ['docx', 'doc', 'xls'],
  'taikang-education-2021-bad-sums': ['docx', 'wps', 'xlsx'],
  'huaiyin-2022-template2019': ['docx'],
};

const FILTER: Record<Form, { to: string; calc: boolean }> = {
  docx: { to: 'docx:MS Word 2007 XML', calc: false },
  doc: { to: 'doc:MS Word 97', calc: false },
  wps: { to: 'doc:MS Word 97', calc: false },
  xlsx: { to: 'xlsx:Calc Office Open XML', calc: true },
  xls: { to: 'xls:MS Excel 97', calc: true },
};

function convert(html: string, form: Form, work: string): string {
  const f = FILTER[form];
  const out = join(work, form);
  mkdirSync(out, { recursive: true });
  const args = [
    `-env:UserInstallation=${pathToFileURL(join(work, 'profile')).href}`,
    '--headless', '--norestore',
    ...(f.calc ? ['--infilter=calc_HTML_WebQuery'] : []),
    '--convert-to', f.to, '--outdir', out, html,
  ];
  execFileSync('soffice', args, { stdio: ['ignore', 'ignore', 'inherit'], timeout: 120_000 });
  const made = readdirSync(out)[0];
  if (!made) throw new Error(`soffice made nothing for ${html} → ${form}`);
  return join(out, made);
}

mkdirSync(outDir, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'nianbao-fixtures-'));
try {
  for (const [name, forms] of Object.entries(FIXTURES)) {
    const html = join(root, 'samples', `${name}.html`);
    for (const form of forms) {
      const made = convert(html, form, work);
      renameSync(made, join(outDir, `${name}.${form}`));
      console.log(`samples/office/${name}.${form}`);
    }
    copyFileSync(join(root, 'samples', `${name}.expected.json`), join(outDir, `${name}.expected.json`));
  }
  // A DOC that LibreOffice cannot open: a real DOC cut after its first 2 KB (the OLE2 header survives,
  // the streams do not). Junk after an OLE2 signature would not do: LibreOffice imports it as plain text.
  writeFileSync(join(outDir, 'broken.doc'), readFileSync(join(outDir, 'zhoukou-ecology-2019.doc')).subarray(0, 2048));
  console.log('samples/office/broken.doc');
} finally {
  rmSync(work, { recursive: true, force: true });
}
