/** Debug: print the grids (tab-separated rows), headings, problems and text of PDFs. Usage: npx tsx scripts/pdf-grid-dump.ts FILE.pdf [--text] */
import { readFileSync } from 'node:fs';
import { extractPdf } from '../extractors/pdf.js';

const args = process.argv.slice(2);
const showText = args.includes('--text');
for (const file of args.filter((a) => !a.startsWith('--'))) {
  const doc = await extractPdf(new Uint8Array(readFileSync(file)));
  console.log(`# ${file}: ${doc.pages} pages, title=${JSON.stringify(doc.title)}`);
  console.log(`headings: ${JSON.stringify(doc.headings)}`);
  for (const p of doc.problems) console.log(`problem ${p.code}: ${p.message}`);
  for (const g of doc.grids) {
    console.log(`\n## grid ${g.index} page ${g.where.page} bbox ${JSON.stringify(g.where.bbox)} caption=${JSON.stringify(g.caption)}`);
    for (const row of g.rows) console.log(row.map((c) => (c.spanned ? '^' : '') + c.text + (c.where.page !== g.where.page ? `@p${c.where.page}` : '')).join('\t'));
  }
  if (showText) console.log('\n## text\n' + doc.text);
}
