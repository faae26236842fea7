// A long list drawn a window at a time: only the rows in view (and a few around them) are in the
// DOM, each at its place in a box as tall as the whole list, so 50,000 issues cost what 30 do and
// the scroll bar still measures the whole list. Rows have one fixed height (their CSS clamps the
// content to it). Short lists are drawn whole.
import { useEffect, useRef, useState, type ReactNode } from 'react';

const OVERSCAN = 8;
/** Up to this many rows the list is drawn whole (cheap, and every row is findable in the page). */
export const DRAW_WHOLE = 200;

export interface VirtualListProps<T> {
  items: readonly T[];
  /** Every row's height in px (the row's CSS must keep to it). */
  rowHeight: number;
  /** The scroll box's height at most, in px. */
  maxHeight: number;
  /** The `<li>` for one item, with `style` applied (its position in the list). */
  row(item: T, index: number, style: React.CSSProperties): ReactNode;
  className?: string;
  testId?: string;
  label?: string;
  /** An index to bring into view when it changes (the selected item). */
  scrollTo?: number;
}

/** Which rows to draw for a scroll position: [first, end) with the overscan on both sides. */
export function visibleRange(
  count: number,
  rowHeight: number,
  scrollTop: number,
  height: number,
  overscan = OVERSCAN,
): [number, number] {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const end = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  return [first, Math.max(first, end)];
}

export function VirtualList<T>({
  items,
  rowHeight,
  maxHeight,
  row,
  className,
  testId,
  label,
  scrollTo,
}: VirtualListProps<T>) {
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const total = items.length * rowHeight;
  const height = Math.min(total, maxHeight);
  const [first, end] =
    items.length <= DRAW_WHOLE ? [0, items.length] : visibleRange(items.length, rowHeight, top, height);

  useEffect(() => {
    const el = box.current;
    if (!el || scrollTo === undefined || scrollTo < 0) return;
    const y = scrollTo * rowHeight;
    if (y < el.scrollTop || y + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = Math.max(0, y - rowHeight);
  }, [scrollTo, rowHeight]);

  const rows: ReactNode[] = [];
  for (let i = first; i < end; i++)
    rows.push(row(items[i]!, i, { position: 'absolute', top: i * rowHeight, left: 0, right: 0, height: rowHeight }));
  return (
    <div
      ref={box}
      className="vlist"
      style={{ maxHeight, overflowY: 'auto', position: 'relative' }}
      onScroll={(e) => setTop(e.currentTarget.scrollTop)}
    >
      <ul
        className={className}
        data-testid={testId}
        aria-label={label}
        data-count={items.length}
        style={{ position: 'relative', height: total, margin: 0 }}
      >
        {rows}
      </ul>
    </div>
  );
}
