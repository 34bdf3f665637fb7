/**
 * How an image layer is named to a person: its number in the stack (1 is
 * the bottom, as `docker history` lists them from the end) and the
 * instruction that made it (the image config's history.created_by). Pure.
 */

/** One layer of a container's stack, as the diff, the watcher and the UI name it. */
export interface LayerLabel {
  /** 1 = the bottom layer; the topmost lower has the highest number. */
  number: number;
  /** 'sha256:<hex>': the sha256 of the layer's uncompressed tar. */
  diffId: string;
  /** The history's created_by for this layer, as written ('' when the image has none). */
  createdBy: string;
}

/** Docker's prefixes that say nothing to a reader: `/bin/sh -c #(nop) `, `|2 A=1 B=2 /bin/sh -c `. */
const SHELL_PREFIX = /^(?:\|\d+(?: \S+=\S*)* )?\/bin\/sh -c (?:#\(nop\) +)?/;

/** created_by as a reader wants it: `RUN echo hi >> /etc/passwd`, `COPY file:… in /`, cut to max cells. */
export function trimCreatedBy(createdBy: string, max = 60): string {
  let s = createdBy.replace(/\s+/g, ' ').trim();
  const m = SHELL_PREFIX.exec(s);
  if (m) {
    const rest = s.slice(m[0].length);
    // `#(nop)` marks a Dockerfile instruction other than RUN (COPY, ENV...); anything else ran in a shell.
    s = m[0].includes('#(nop)') ? rest.trim() : `RUN ${rest}`;
  }
  return s.length > max ? `${s.slice(0, Math.max(0, max - 1))}…` : s;
}

/** "layer 3 (RUN echo hi >> /etc/passwd)", or "layer 3" when its history says nothing. */
export function describeLayer(label: LayerLabel, max = 60): string {
  const what = trimCreatedBy(label.createdBy, max);
  return what ? `layer ${label.number} (${what})` : `layer ${label.number}`;
}
