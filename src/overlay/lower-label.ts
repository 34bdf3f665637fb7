/**
 * Which image layer a lower index names, for the diff, the live stream and
 * the app. A container's labels are given topmost first, as its lowers (a
 * LowerPlace's `layer` 0 is the topmost lower). Text names a layer only
 * when that tells a reader something: with labels (records of older
 * versions have none) and more than one layer (a flat image's one layer
 * is just "lower"). JSON carries the layer whenever it is known. Pure.
 */
import { describeLayer, type LayerLabel } from './layer-label.js';
import { printableText } from './printable-path.js';

/** A container's layer labels, topmost first; undefined for a record without them. */
export type StackLabels = readonly LayerLabel[] | undefined;

/** The label of lower `index` (0 = topmost) when text should name it, else undefined. */
export function namedLower(labels: StackLabels, index: number | undefined): LayerLabel | undefined {
  if (index === undefined || !labels || labels.length < 2) return undefined;
  return labels[index];
}

/**
 * "layer 3 (RUN echo hi >> /etc/passwd)" for lower `index`, when text
 * should name it; escaped (printable-path.ts): created_by is the image's
 * text, and may hold anything.
 */
export function lowerPhrase(
  labels: StackLabels,
  index: number | undefined,
  max?: number,
): string | undefined {
  const label = namedLower(labels, index);
  return label ? printableText(describeLayer(label, max)) : undefined;
}

/** The layer for JSON: its number and diff_id, whenever the labels say (one layer included). */
export function lowerRef(
  labels: StackLabels,
  index: number | undefined,
): { number: number; diffId: string } | undefined {
  const label = index === undefined ? undefined : labels?.[index];
  return label ? { number: label.number, diffId: label.diffId } : undefined;
}
