import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeBytes, normaliseCharset, sniffKind } from '../src/decode.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/html/${name}`, import.meta.url)));
const utf8 = (s: string) => new TextEncoder().encode(s);
const concat = (...parts: (number[] | Uint8Array)[]) => {
  const out: number[] = [];
  for (const p of parts) out.push(...p);
  return new Uint8Array(out);
};

// '中文'.encode('gbk') and '政府信息公开'.encode('gbk'), checked with python3.
const GBK_ZHONGWEN = [0xd6, 0xd0, 0xce, 0xc4];
const GBK_ZHENGFU_XINXI_GONGKAI = [0xd5, 0xfe, 0xb8, 0xae, 0xd0, 0xc5, 0xcf, 0xa2, 0xb9, 0xab, 0xbf, 0xaa];

describe('sniffKind', () => {
  it('recognises HTML from the bytes, whatever the header says', () => {
    expect(sniffKind(utf8('<!DOCTYPE html><html><body>x</body></html>'))).toBe('html');
    expect(sniffKind(utf8('\ufeff  \n<HTML><HEAD>'))).toBe('html');
    expect(sniffKind(utf8('<table><tr><td>规章</td></tr></table>'), 'text/plain')).toBe('html');
    expect(sniffKind(utf8('<p class=MsoNormal>报告</p>'))).toBe('html');
    expect(sniffKind(utf8('<!-- saved from url --><meta charset="utf-8">'))).toBe('html');
  });

  it('recognises PDF magic within the first kilobyte', () => {
    expect(sniffKind(utf8('%PDF-1.7\n%âãÏÓ\n1 0 obj'))).toBe('pdf');
    expect(sniffKind(concat(new Uint8Array(300).fill(0x20), utf8('%PDF-1.4\n')), 'text/html')).toBe('pdf');
  });

  it('reads empty and whitespace-only bytes as empty', () => {
    expect(sniffKind(new Uint8Array(0))).toBe('empty');
    expect(sniffKind(utf8(' \r\n\t \u3000 '), 'text/html')).toBe('empty');
    expect(sniffKind(concat([0xef, 0xbb, 0xbf], utf8('\n\n')))).toBe('empty');
  });

  it('calls noise with NULs and control characters binary', () => {
    // A deterministic pseudo-random byte stream (LCG), NULs included.
    const noise = new Uint8Array(4096);
    let x = 12345;
    for (let i = 0; i < noise.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      noise[i] = x >>> 24;
    }
    expect(sniffKind(noise)).toBe('binary');
    expect(sniffKind(noise, 'text/html')).toBe('binary');
    const png = concat([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d], utf8('IHDR'));
    // a picture is told by its magic bytes (read by OCR: extractors/image.ts)
    expect(sniffKind(png, undefined, 'chart.png')).toBe('image');
  });

  it('falls back on the Content-Type, then the name, then text', () => {
    const prose = utf8('扶沟县自然资源局2021年政府信息公开工作年度报告\n一、总体情况\n');
    expect(sniffKind(prose, 'text/html; charset=utf-8')).toBe('html');
    expect(sniffKind(prose, undefined, 'report.htm')).toBe('html');
    expect(sniffKind(prose, undefined, 'report.txt')).toBe('text');
    expect(sniffKind(prose)).toBe('text');
    expect(sniffKind(new Uint8Array(GBK_ZHENGFU_XINXI_GONGKAI))).toBe('text');
    // Said to be a PDF, but no PDF magic: not readable as anything.
    expect(sniffKind(prose, 'application/pdf')).toBe('binary');
  });

  it('looks through a UTF-16 byte order mark', () => {
    const le = concat([0xff, 0xfe], Buffer.from('<html><body>报告</body></html>', 'utf16le'));
    expect(sniffKind(le)).toBe('html');
    const text = concat([0xff, 0xfe], Buffer.from('年度报告\n规章\t0', 'utf16le'));
    expect(sniffKind(text)).toBe('text');
  });

  it('recognises UTF-16 without a BOM by its NUL bytes, and still calls other NULs binary', () => {
    expect(sniffKind(Buffer.from('<html><body>报告 2021</body></html>', 'utf16le'))).toBe('html');
    const be = Buffer.from('规章\t0\t1\t2\nabc', 'utf16le');
    for (let i = 0; i < be.length; i += 2) [be[i], be[i + 1]] = [be[i + 1]!, be[i]!];
    expect(sniffKind(be)).toBe('text');
    expect(sniffKind(concat(utf8('<html>'), [0, 0, 0, 0], utf8('abc def ghi')))).toBe('binary');
  });
});

describe('decodeBytes', () => {
  it('decodes UTF-8 without a BOM by sniffing, and ASCII as the default', () => {
    const r = decodeBytes(utf8('<p>政府信息公开</p>'), { kind: 'html' });
    expect(r).toMatchObject({ text: '<p>政府信息公开</p>', charset: 'utf-8', source: 'sniff', replacements: 0, problems: [] });
    const a = decodeBytes(utf8('plain ascii'), { kind: 'text' });
    expect(a).toMatchObject({ text: 'plain ascii', charset: 'utf-8', source: 'default' });
  });

  it('honours and strips a UTF-8 BOM, even against a GBK declaration', () => {
    const r = decodeBytes(concat([0xef, 0xbb, 0xbf], utf8('<meta charset="gbk">中文')), { kind: 'html', contentType: 'text/html; charset=gbk' });
    expect(r).toMatchObject({ text: '<meta charset="gbk">中文', charset: 'utf-8', source: 'bom' });
  });

  it('decodes UTF-16LE and UTF-16BE by their BOM', () => {
    const s = '政府信息公开 2021';
    const le = concat([0xff, 0xfe], Buffer.from(s, 'utf16le'));
    expect(decodeBytes(le, { kind: 'text' })).toMatchObject({ text: s, charset: 'utf-16le', source: 'bom' });
    const be = Buffer.from(s, 'utf16le');
    for (let i = 0; i < be.length; i += 2) [be[i], be[i + 1]] = [be[i + 1]!, be[i]!];
    expect(decodeBytes(concat([0xfe, 0xff], be), { kind: 'text' })).toMatchObject({ text: s, charset: 'utf-16be', source: 'bom' });
  });

  it('decodes UTF-16 without a BOM, whatever is declared', () => {
    const s = '<meta charset="utf-8"><p>政府信息公开 2021</p>';
    const r = decodeBytes(Buffer.from(s, 'utf16le'), { kind: 'html', contentType: 'text/html; charset=gbk' });
    expect(r).toMatchObject({ text: s, charset: 'utf-16le', source: 'sniff', replacements: 0 });
  });

  it('reads GBK declared in <meta http-equiv> and in <meta charset>', () => {
    const a = decodeBytes(fixture('gbk-meta-http-equiv.html'), { kind: 'html' });
    expect(a.charset).toBe('gb18030');
    expect(a.source).toBe('meta');
    expect(a.text).toContain('<title>政府信息公开</title>');
    expect(a.text).toContain('<td>行政许可</td><td>53</td>');
    expect(a.replacements).toBe(0);
    const b = decodeBytes(fixture('gbk-meta-charset.html'), { kind: 'html' });
    expect(b).toMatchObject({ charset: 'gb18030', source: 'meta', replacements: 0 });
    expect(b.text).toContain('某县2021年政府信息公开工作年度报告');
  });

  it('reads GBK declared only in the HTTP header, and undeclared GBK by sniffing', () => {
    const bytes = fixture('gbk-undeclared.html');
    const http = decodeBytes(bytes, { kind: 'html', contentType: 'text/html; charset=GBK' });
    expect(http).toMatchObject({ charset: 'gb18030', source: 'http', replacements: 0, problems: [] });
    expect(http.text).toContain('<td>行政处罚</td><td>18</td>');
    const sniffed = decodeBytes(bytes, { kind: 'html' });
    expect(sniffed).toMatchObject({ charset: 'gb18030', source: 'sniff', text: http.text });
    const raw = decodeBytes(concat(utf8('规章 '), GBK_ZHONGWEN), { kind: 'text', contentType: 'text/plain;charset="gb2312"' });
    // The UTF-8 part read as GBK is mojibake by design: the declaration is followed when the bytes allow it.
    expect(raw.text.endsWith('中文')).toBe(true);
  });

  it('reads a 4-byte GB18030 character behind a GB2312 label', () => {
    const r = decodeBytes(fixture('gb2312-label-4byte.html'), { kind: 'html' });
    expect(r).toMatchObject({ charset: 'gb18030', source: 'meta', replacements: 0 });
    expect(r.text).toContain('<p>罕见字\u{20000}在此</p>');
    expect(decodeBytes(new Uint8Array([0x95, 0x32, 0x82, 0x36]), { kind: 'text', contentType: 'text/plain; charset=gb2312' }).text).toBe('\u{20000}');
  });

  it('overrides a <meta> that says UTF-8 over GBK bytes', () => {
    const r = decodeBytes(fixture('gbk-meta-says-utf8.html'), { kind: 'html' });
    expect(r.charset).toBe('gb18030');
    expect(r.source).toBe('sniff');
    expect(r.replacements).toBe(0);
    expect(r.text).toContain('<td>行政许可</td><td>53</td>');
    expect(r.problems.map((p) => p.code)).toEqual(['decode_charset_mismatch']);
    expect(r.problems[0]!.message).toContain('utf-8');
  });

  it('overrides a <meta> that says GBK over UTF-8 bytes', () => {
    const r = decodeBytes(fixture('utf8-meta-says-gbk.html'), { kind: 'html' });
    expect(r).toMatchObject({ charset: 'utf-8', source: 'sniff', replacements: 0 });
    expect(r.text).toContain('<td>行政许可</td><td>53</td>');
    expect(r.problems.map((p) => p.code)).toEqual(['decode_charset_mismatch']);
  });

  it('keeps UTF-8 when a UTF-8 page has a couple of stray bytes', () => {
    const text = '政府信息公开工作年度报告'.repeat(20);
    const bytes = concat(utf8(text), [0xff], utf8(text), [0xfe], utf8('完'));
    const r = decodeBytes(bytes, { kind: 'html', contentType: 'text/html; charset=utf-8' });
    expect(r.charset).toBe('utf-8');
    expect(r.source).toBe('http');
    expect(r.replacements).toBe(2);
    expect(r.problems).toEqual([]); // 2 in 481 characters is below the threshold
  });

  it('reads Big5 declared in <meta>', () => {
    const r = decodeBytes(fixture('big5-meta.html'), { kind: 'html' });
    expect(r).toMatchObject({ charset: 'big5', source: 'meta', replacements: 0 });
    expect(r.text).toContain('政府資訊公開年度報告');
  });

  it('ignores an unknown charset label with a problem and decodes by the bytes', () => {
    const bytes = concat(utf8('<meta charset="x-klingon">'), GBK_ZHENGFU_XINXI_GONGKAI);
    const r = decodeBytes(bytes, { kind: 'html' });
    expect(r).toMatchObject({ charset: 'gb18030', source: 'sniff', text: '<meta charset="x-klingon">政府信息公开' });
    expect(r.problems.map((p) => p.code)).toEqual(['decode_unknown_charset']);
    expect(r.problems[0]!.message).toContain('x-klingon');
  });

  it('does not scan <meta> in plain text', () => {
    const bytes = concat(utf8('<meta charset="utf-8"> '), GBK_ZHONGWEN);
    expect(decodeBytes(bytes, { kind: 'text' })).toMatchObject({ source: 'sniff', charset: 'gb18030' });
  });

  it('counts replacement characters and reports when there are too many', () => {
    // 30 bytes that are invalid in UTF-8 and in GB18030 alike.
    const bad = concat(utf8('<p>'), new Array(30).fill(0xff), utf8('政府信息公开'.repeat(100)), utf8('</p>'));
    const r = decodeBytes(bad, { kind: 'html', contentType: 'text/html; charset=utf-8' });
    expect(r.replacements).toBe(30);
    expect(r.problems.map((p) => p.code)).toEqual(['decode_replacement_chars']);
    expect(r.problems[0]!.message).toMatch(/^30 replacement characters after decoding as utf-8/);
    // A few in a short text: over 0.5% of the characters.
    const short = decodeBytes(concat(utf8('规章'), [0xff], utf8('0')), { kind: 'text', contentType: 'text/plain; charset=utf-8' });
    expect(short.replacements).toBe(1);
    expect(short.problems.map((p) => p.code)).toEqual(['decode_replacement_chars']);
  });

  it('maps every GB label to gb18030', () => {
    for (const l of ['gb2312', 'GBK', 'gb18030', 'x-gbk', 'cp936', 'CP936', '"gb2312"']) expect(normaliseCharset(l)).toBe('gb18030');
    expect(normaliseCharset('big5')).toBe('big5');
    expect(normaliseCharset('UTF8')).toBe('utf-8');
    expect(normaliseCharset('nonsense-charset')).toBeUndefined();
  });
});
