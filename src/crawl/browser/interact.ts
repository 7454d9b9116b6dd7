/**
 * Interaction with a rendered list: the controls that make it grow without a link to follow.
 * Knows nothing of the crawl: the session calls it between DOM snapshots.
 */
import type { Page } from 'playwright-core';

/**
 * Clicks the page's "next page" or "load more" control when it is a script control (no href to
 * follow): a visible, enabled button/link/span/submit whose text is 下一页/下页/后页/>/›/», 加载更多,
 * 查看更多… (or whose class or id says next); else, in a numbered pager of script links, the number after
 * the current page's. A `javascript:__doPostBack(…)` link or an ASP.NET submit
 * button posts its form: the browser's navigation goes through the crawler's fetcher like any request.
 */
export async function clickNext(page: Page): Promise<boolean> {
  const marked = await page
    .evaluate(() => {
      const NEXT = /^[<>›»]*(下一页|下页|后页|>|›|»|>>|next|nextpage|加载更多|查看更多|点击加载更多|点击查看更多|显示更多|更多数据|加载更多数据|loadmore|showmore)[>›»]*$/i;
      const els = Array.from(
        document.querySelectorAll('button, a, span, li, div, input[type=button], input[type=submit], div[role=button]'),
      ) as HTMLElement[];
      for (const el of els) {
        const text = (el instanceof HTMLInputElement ? el.value : el.textContent ?? '').replace(/\s+/g, '');
        const named = /(^|[-_\s])next([-_\s]|$)|btn-next|nextpage|next_page|load-?more|lbtnNext/i.test(`${el.className} ${el.id}`);
        if (!NEXT.test(text) && !(named && text.length <= 6)) continue;
        if (el.children.length > 0 && !NEXT.test(text)) continue;
        // the innermost control: a box whose child holds the same text is passed for the child
        if (Array.from(el.children).some((c) => (c.textContent ?? '').replace(/\s+/g, '') === text && text !== '')) continue;
        const href = el.getAttribute('href');
        if (el.tagName === 'A' && href && !/^(javascript:|#)/i.test(href.trim())) continue; // a real link: discovery follows it
        if ((el as HTMLButtonElement).disabled || el.getAttribute('aria-disabled') === 'true' || /disabled/i.test(el.className)) continue;
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) continue;
        el.setAttribute('data-nianbao-next', '1');
        return true;
      }
      // a numbered pager of script links with no next control (an ASP.NET GridView's `<span>2</span>
      // <a href="javascript:__doPostBack('GridView1','Page$3')">3</a>`): the number after the current
      // one, the current being the number that is no link (or is marked current) beside it
      // (no named helper functions here: a bundler's keep-names wrapper would not exist in the page)
      const pagerNumbers = els.filter((el) => el.children.length === 0 && /^\d{1,4}$/.test((el.textContent ?? '').trim()));
      for (const cur of pagerNumbers) {
        const n = Number((cur.textContent ?? '').trim());
        if (cur.tagName === 'A' && !/(^|\s)(current|active|cur|on|selected)(\s|$)/i.test(cur.className)) continue;
        const box = cur.parentElement?.parentElement ?? cur.parentElement;
        if (!box) continue;
        const next = pagerNumbers.find(
          (a) => a.tagName === 'A' && box.contains(a) && Number((a.textContent ?? '').trim()) === n + 1 && /^(javascript:|#)/i.test((a.getAttribute('href') ?? '#').trim()),
        );
        if (!next) continue;
        const r = next.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        next.setAttribute('data-nianbao-next', '1');
        return true;
      }
      return false;
    })
    .catch(() => false);
  if (!marked) return false;
  try {
    await page.click('[data-nianbao-next]', { timeout: 2000 });
    await page.evaluate(() => document.querySelector('[data-nianbao-next]')?.removeAttribute('data-nianbao-next')).catch(() => {});
    return true;
  } catch {
    return false;
  }
}

/**
 * Clicks the next download control not clicked yet on this page: a visible button/link/span whose
 * text is 下载, 下载附件, 附件下载, 点击下载, 下载全文… or a file's name (`…年度报告.pdf`), when it is a
 * script control (no href to follow: discovery follows real links). Its script's request (a fetch of
 * `/api/file?id=…` made into a blob, a window.open or location change to a download, a form post)
 * goes through routing like any other. False when none is left.
 */
export async function clickDownload(page: Page): Promise<boolean> {
  const marked = await page
    .evaluate(() => {
      const DL = /^(下载|下载附件|附件下载|点击下载|下载全文|全文下载|下载文件|文件下载|下载原文|原文下载|下载pdf|pdf下载|下载报告|报告下载|查看附件|附件|download)$|\.(pdf|docx?|wps|xlsx?|et|ofd)$/i;
      const els = Array.from(document.querySelectorAll('button, a, span, li, div, input[type=button], div[role=button]')) as HTMLElement[];
      for (const el of els) {
        if (el.hasAttribute('data-nianbao-dl-done')) continue;
        const text = (el instanceof HTMLInputElement ? el.value : el.textContent ?? '').replace(/\s+/g, '').replace(/^[[【(（]+|[\]】)）]+$/g, '');
        if (!text || text.length > 80 || !DL.test(text)) continue;
        // the innermost control: a box whose child holds the same text is passed for the child
        if (Array.from(el.children).some((c) => (c.textContent ?? '').replace(/\s+/g, '').replace(/^[[【(（]+|[\]】)）]+$/g, '') === text)) continue;
        const href = el.getAttribute('href');
        if (el.tagName === 'A' && href && !/^(javascript:|#)/i.test(href.trim())) continue; // a real link: discovery follows it
        if ((el as HTMLButtonElement).disabled || el.getAttribute('aria-disabled') === 'true') continue;
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) continue;
        el.setAttribute('data-nianbao-dl-done', '1');
        el.setAttribute('data-nianbao-dl', '1');
        return true;
      }
      return false;
    })
    .catch(() => false);
  if (!marked) return false;
  try {
    await page.click('[data-nianbao-dl]', { timeout: 2000, noWaitAfter: true });
    await page.evaluate(() => document.querySelector('[data-nianbao-dl]')?.removeAttribute('data-nianbao-dl')).catch(() => {});
    return true;
  } catch {
    return false;
  }
}

/**
 * Infinite scroll: scrolls to the bottom of the page when there is more page below (a list that grows
 * as it is scrolled asks for its next page then). False when the page does not scroll.
 */
export async function scrollDown(page: Page): Promise<boolean> {
  return page
    .evaluate(() => {
      const height = Math.max(document.body?.scrollHeight ?? 0, document.documentElement.scrollHeight);
      if (height <= window.innerHeight + window.scrollY + 2) return false;
      window.scrollTo(0, height);
      window.dispatchEvent(new Event('scroll'));
      return true;
    })
    .catch(() => false);
}
