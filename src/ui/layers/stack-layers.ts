/**
 * The image's layers as the layer selector lists them: each lower's label
 * (number, diff_id, created_by) and, when the store's layer record says
 * so, its entries and bytes. Pure: the session reads the records.
 */
import type { LayerLabel } from '../../overlay/layer-label.js';
import { trimCreatedBy } from '../../overlay/layer-label.js';
import { compactBytes } from '../../engine/human-bytes.js';

export interface StackLayer extends LayerLabel {
  /** Entries the layer's tar held (its record); absent when unknown. */
  entries?: number;
  /** Bytes of file data (its record); absent when unknown. */
  bytes?: number;
}

/** What the lower pane shows: the whole stack, or one layer (index into the lowers, 0 = topmost). */
export type LowerView = 'stack' | number;

/**
 * The stack for lowerCount lowers (topmost first): the labels given when
 * they match the lowers, else numbers alone (a container of an older
 * version, or a flat image: no history to show).
 */
export function stackFor(
  layers: readonly StackLayer[] | undefined,
  lowerCount: number,
): StackLayer[] {
  if (layers && layers.length === lowerCount) return [...layers];
  return Array.from({ length: lowerCount }, (_, i) => ({
    number: lowerCount - i,
    diffId: '',
    createdBy: '',
  }));
}

/** The selector's items in order: the whole stack, then each layer from the top. */
export function viewOrder(count: number): LowerView[] {
  return ['stack', ...Array.from({ length: count }, (_, i) => i)];
}

/** The next item of the selector, step down (1) or up (-1) the list; it stops at the ends. */
export function stepView(view: LowerView, count: number, step: 1 | -1): LowerView {
  const order = viewOrder(count);
  const at = order.indexOf(view);
  return order[Math.max(0, Math.min(order.length - 1, (at < 0 ? 0 : at) + step))] ?? 'stack';
}

/** One selector line's text: `7 RUN apt-get install -y curl  1,204 entries  12M`. */
export function layerLine(layer: StackLayer, createdByCells = 40): string {
  const what = trimCreatedBy(layer.createdBy, createdByCells) || '(no history)';
  const entries =
    layer.entries === undefined
      ? ''
      : `  ${layer.entries.toLocaleString('en')} entr${layer.entries === 1 ? 'y' : 'ies'}`;
  const size = layer.bytes === undefined ? '' : `  ${compactBytes(layer.bytes).trim()}`;
  return `${String(layer.number).padStart(3)} ${what}${entries}${size}`;
}

/** The whole stack's line: `all  whole stack: 20 layers, 1.2G`. */
export function stackLine(stack: readonly StackLayer[]): string {
  const known = stack.every((l) => l.bytes !== undefined);
  const bytes = stack.reduce((sum, l) => sum + (l.bytes ?? 0), 0);
  const size = known ? `, ${compactBytes(bytes).trim()}` : '';
  return `all whole stack: ${stack.length} layers${size}`;
}

/**
 * The lines the selector shows at a height: the chosen item and those
 * around it, so that the pane keeps most of its rows for the tree.
 */
export function selectorWindow(
  stack: readonly StackLayer[],
  view: LowerView,
  height: number,
): { text: string; current: boolean }[] {
  const order = viewOrder(stack.length);
  const at = Math.max(0, order.indexOf(view));
  const room = Math.max(1, Math.min(order.length, height));
  const top = Math.max(0, Math.min(at - Math.floor((room - 1) / 2), order.length - room));
  return order.slice(top, top + room).map((item, i) => ({
    text: item === 'stack' ? stackLine(stack) : layerLine(stack[item] as StackLayer),
    current: top + i === at,
  }));
}

/** How many selector lines a lower pane of height lines gives up: about a quarter, at least one. */
export function selectorHeight(layerCount: number, paneHeight: number): number {
  if (layerCount <= 1) return 0;
  return Math.max(1, Math.min(layerCount + 1, Math.floor((paneHeight - 1) / 4)));
}
