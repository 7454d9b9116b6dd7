/**
 * The per-page decision to render (no browser here): the project's static pages (every sample
 * report, every page of the bundled sample site, list pages with a createPageHTML pager script) are
 * read as fetched; pages whose scripts build what is missing are rendered, each for its reason.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { discover } from '../src/crawl/discover.js';
import { decideRender } from '../src/crawl/render-decide.js';
import { decodeBytes } from '../src/decode.js';
import { listPage } from './helpers/testsite.js';

const root = join(import.meta.dirname, '..');

function decide(html: string, url = 'http://127.0.0.1:8000/zwgk/nb/index.html') {
  return decideRender(html, discover(html, url));
}

function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? htmlFiles(join(dir, e.name)) : /\.html?$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

const page = (head: string, body: string) =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报</title>${head}</head><body>
<div class="header"><a href="/">首页</a><a href="/zwgk/">政府信息公开</a></div>${body}</body></html>`;

describe('decideRender', () => {
  it('reads every static page of the samples as fetched', () => {
    const files = [...htmlFiles(join(root, 'samples', 'site')), ...htmlFiles(join(root, 'samples')).filter((f) => !f.includes('/site/'))];
    expect(files.length).toBeGreaterThan(40);
    const rendered = files.flatMap((f) => {
      const { text } = decodeBytes(new Uint8Array(readFileSync(f)), { kind: 'html' });
      const d = decide(text, `http://127.0.0.1:8000/${relative(join(root, 'samples'), f)}`);
      return d.render ? [`${relative(root, f)}: ${d.reason}`] : [];
    });
    expect(rendered).toEqual([]);
  });

  it('reads static lists with pager scripts and analytics snippets as fetched', () => {
    const list = listPage({ items: [{ href: '/zwgk/nb/2021.html', text: '某县2021年政府信息公开工作年度报告' }], pageCount: 3 });
    expect(decide(list)).toEqual({ render: false, reason: '1 report link(s) in the static HTML' });
    const analytics = page(
      '<script src="/js/jquery.min.js"></script><script>var _hmt=[];(function(){var hm=document.createElement("script");hm.src="https://hm.baidu.com/hm.js?x";document.head.appendChild(hm);})();</script>',
      '<h1>通知公告</h1><p>暂无内容。</p>',
    );
    expect(decide(analytics)).toEqual({ render: false, reason: 'static page' });
    expect(decide(page('', '<ul id="list"></ul>'))).toEqual({ render: false, reason: 'no scripts' });
    // report links in the static HTML: the browser is not needed, even beside an empty box
    const linked = page('<script src="/js/side.js"></script>', '<div class="news-list"></div><ul><li><a href="/nb/2021.html">某县2021年政府信息公开工作年度报告</a></li></ul>');
    expect(decide(linked)).toEqual({ render: false, reason: '1 report link(s) in the static HTML' });
  });

  it('renders an empty list container that scripts fill', () => {
    const d = decide(page('<script src="/js/list.js"></script>', '<h1>政府信息公开年报</h1><ul id="list"></ul><div id="pager"></div>'));
    expect(d).toEqual({ render: true, reason: 'empty list container <ul id="list"> with scripts' });
    const table = decide(page('', '<table class="data-table"><tbody></tbody></table><script>$.getJSON("/api/nb", function (d) { render(d); });</script>'));
    expect(table.render).toBe(true);
  });

  it('renders an empty app root with its bundle', () => {
    const d = decide(`<!DOCTYPE html><html><head><title>信息公开</title><script defer src="/static/js/chunk-vendors.5e1f.js"></script></head><body><noscript>请启用JavaScript</noscript><div id="app"></div><script src="/static/js/app.91ab.js"></script></body></html>`);
    expect(d).toEqual({ render: true, reason: 'empty app root #app with scripts' });
  });

  it('renders a page whose links are written only by scripts', () => {
    const d = decide(
      page('', `<script>var items=[{u:'/zwgk/nb/2021.html',t:'2021年报'}];for(var i=0;i<items.length;i++)document.write('<a href="'+items[i].u+'">'+items[i].t+'</a>');</script>`),
    );
    expect(d).toEqual({ render: true, reason: 'links written by scripts only' });
  });

  it('renders a report page whose body is empty but whose scripts fetch JSON', () => {
    const d = decide(
      `<!DOCTYPE html><html><head><title>详情</title><script src="/js/jquery.js"></script></head><body><h2 class="tit"></h2><div class="con"></div>
<script>$.ajax({url:'/api/article', data:{id: getQuery('id')}, success: function (d) { $('.tit').text(d.title); $('.con').html(d.content); }});</script></body></html>`,
    );
    expect(d).toEqual({ render: true, reason: 'an empty page whose scripts fetch data' });
  });

  it('never renders a page that has its report tables', () => {
    const html = readFileSync(join(root, 'samples', 'xihua-county-2021.html'), 'utf8').replace('</body>', '<div id="app"></div><script src="/app.js"></script></body>');
    expect(decide(html, 'http://127.0.0.1:8000/nb/2021.html')).toEqual({ render: false, reason: 'the page has its report tables' });
  });
});
