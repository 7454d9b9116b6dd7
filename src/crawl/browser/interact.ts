/**
 * Interaction with a rendered list: the controls that make it grow without a link to follow.
 * Knows nothing of the crawl: the session calls it between DOM snapshots.
 */
import type { Page } from 'playwright-core';

/**
 * Clicks the page's "next page" control when it is a script button (no href to follow): a visible,
 * enabled button/link/span whose text is 下一页/下页/后页/>/›/» (or whose class or id says next).
 */
export async function clickNext(page: Page): Promise<boolean> {
  const marked = await page
    .evaluate(() => {
      const NEXT = /^(下一页|下页|后页|>|›|»|>>|next|next page)$/i;
      const els = Array.from(document.querySelectorAll('button, a, span, li, input[type=button], div[role=button]')) as HTMLElement[];
      for (const el of els) {
        const text = (el instanceof HTMLInputElement ? el.value : el.textContent ?? '').replace(/\s+/g, '');
        const named = /(^|[-_\s])next([-_\s]|$)|btn-next|nextpage|next_page/i.test(`${el.className} ${el.id}`);
        if (!NEXT.test(text) && !(named && text.length <= 6)) continue;
        if (el.children.length > 0 && !NEXT.test(text)) continue;
        const href = el.getAttribute('href');
        if (el.tagName === 'A' && href && !/^(javascript:|#)/i.test(href.trim())) continue; // a real link: discovery follows it
        if ((el as HTMLButtonElement).disabled || el.getAttribute('aria-disabled') === 'true' || /disabled/i.test(el.className)) continue;
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) continue;
        el.setAttribute('data-nianbao-next', '1');
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

