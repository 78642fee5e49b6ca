/**
 * Progressive enhancement of the build-time chart SVGs: hovering, focusing or tapping a mark shows
 * its exact value at once, also on touch screens where SVG <title> tooltips never appear.
 *
 * A mark is any element inside an `svg` with a `data-tooltip` attribute (preferred), a <title>
 * child, or `role="graphics-symbol"` and an `aria-label` (what Vega writes for a data mark with
 * `aria: true` and a `description` encoding). A <title> is moved into `aria-label` (so screen
 * readers still read it) and removed, so the browser's own delayed tooltip does not show on top of
 * this one. Without JavaScript the charts keep their <title> tooltips and nothing else changes.
 */

const OFFSET_PX = 12;

/** The exact-value text of a mark, moving a <title> child into data-tooltip and aria-label. */
function tooltipText(mark: Element): string | null {
  const explicit = mark.getAttribute('data-tooltip');
  if (explicit) return explicit;
  const title = Array.from(mark.children).find((child) => child.tagName.toLowerCase() === 'title');
  const text = title?.textContent?.trim() || mark.getAttribute('aria-label');
  if (!text) return null;
  mark.setAttribute('data-tooltip', text);
  if (!mark.hasAttribute('aria-label')) mark.setAttribute('aria-label', text);
  title?.remove();
  return text;
}

/** Marks: `data-tooltip`, a <title> child (not the chart's own), or Vega's labelled data marks. */
const MARKS = 'svg [data-tooltip], svg *:not(svg) > title, svg [role="graphics-symbol"][aria-label]';

function enhance(): void {
  const marks = Array.from(document.querySelectorAll(MARKS))
    .map((found) => (found.tagName.toLowerCase() === 'title' ? found.parentElement : found))
    .filter((mark): mark is Element => mark !== null && tooltipText(mark) !== null);
  if (marks.length === 0) return;

  const tip = document.createElement('div');
  tip.className = 'chart-tooltip';
  tip.setAttribute('role', 'tooltip');
  tip.hidden = true;
  Object.assign(tip.style, {
    position: 'fixed',
    zIndex: '10',
    pointerEvents: 'none',
    maxWidth: '18rem',
    padding: '0.3rem 0.5rem',
    borderRadius: '4px',
    background: 'rgba(20, 20, 20, 0.92)',
    color: '#fff',
    font: 'inherit',
    fontSize: '0.85rem',
    lineHeight: '1.3',
  });
  document.body.append(tip);

  let current: Element | null = null;
  function show(mark: Element, x: number, y: number): void {
    current = mark;
    tip.textContent = mark.getAttribute('data-tooltip');
    tip.hidden = false;
    const width = tip.offsetWidth;
    const left = Math.min(x + OFFSET_PX, window.innerWidth - width - 4);
    tip.style.left = `${Math.max(4, left)}px`;
    tip.style.top = `${Math.max(4, y - tip.offsetHeight - OFFSET_PX)}px`;
  }
  function hide(): void {
    current = null;
    tip.hidden = true;
  }
  function centre(mark: Element): [number, number] {
    const box = mark.getBoundingClientRect();
    return [box.left + box.width / 2, box.top];
  }

  for (const mark of marks) {
    mark.addEventListener('pointerenter', (event) => {
      const e = event as PointerEvent;
      show(mark, e.clientX, e.clientY);
    });
    mark.addEventListener('pointermove', (event) => {
      const e = event as PointerEvent;
      if (current === mark) show(mark, e.clientX, e.clientY);
    });
    mark.addEventListener('pointerleave', hide);
    mark.addEventListener('focus', () => show(mark, ...centre(mark)));
    mark.addEventListener('blur', hide);
  }
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') hide();
  });
  window.addEventListener('scroll', hide, { passive: true });
}

enhance();
