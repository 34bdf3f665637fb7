/**
 * What a layer tar holds for an upper directory, in the form image tools
 * read (the OCI image spec's "changesets", and Docker's): one item per
 * entry, parents before children, names in byte order, so that the same
 * upper always gives the same tar and so the same diff_id.
 *   - a whiteout (a 0/0 character device, or an xattr whiteout) becomes
 *     `.wh.NAME`;
 *   - an opaque directory is its entry, then `DIR/.wh..wh..opq`, then its
 *     children as the upper holds them;
 *   - a redirected (renamed) directory is written in full at its new path,
 *     lower children too, as the merged view shows it, since a tool that
 *     applies the layer knows nothing of redirects; its old path gets a
 *     whiteout (the kernel has usually made one already);
 *   - a metacopy file takes its data from the lower file the kernel would
 *     read (through the redirect or origin, or the same path below).
 * Pure over the layer trees; layer-writer.ts does the reading.
 */
import {
  childPath,
  entryAt,
  inodeKey,
  parentPath,
  baseName,
  withEntry,
  type LayerEntry,
  type LayerRef,
  type XattrNamespace,
} from '../../overlay/layer-entry.js';
import { isMetacopy, isOpaqueDir, isWhiteout, validRedirect } from '../../overlay/entry-rules.js';
import { computeMerged, mergedAt, walkMerged } from '../../overlay/merged-view.js';
import { printablePath } from '../../overlay/printable-path.js';

export interface PlannedItem {
  /** '/a/b', a byte string. */
  path: string;
  what: 'entry' | 'whiteout' | 'opaque';
  /** The entry whose metadata is written (for 'opaque': the directory). */
  entry: LayerEntry;
  /** The layer it is in: 'upper', or a lower's index (topmost 0). */
  ref: LayerRef;
  /** Metacopy files: the lower entry that holds the data. */
  data?: LayerRef;
  /** Same value for hardlinks of one inode (files with more than one link). */
  linkKey?: string;
}

export interface PlanInput {
  upper: LayerEntry;
  /** Scans the lower layers (topmost first) only when a redirect or metacopy needs them. */
  lowers: () => LayerEntry[];
  ns: XattrNamespace;
}

/** A stored layer has no redirect or metacopy to follow: it is written as it is. */
export const NO_LOWERS = (): LayerEntry[] => [];

interface Special {
  redirects: { path: string; entry: LayerEntry; oldPath: string }[];
  metacopies: string[];
}

// Redirects below a redirected directory are taken care of by writing that
// one in full: only the outermost ones are collected.
function findSpecial(upper: LayerEntry, ns: XattrNamespace): Special {
  const out: Special = { redirects: [], metacopies: [] };
  const pending: { path: string; entry: LayerEntry }[] = [{ path: '/', entry: upper }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    for (const [name, child] of next.entry.children ?? []) {
      const path = childPath(next.path, name);
      if (isWhiteout(child, ns)) continue;
      if (child.type === 'dir') {
        const r = validRedirect(child, ns);
        if (r !== undefined) {
          const oldPath = r.startsWith('/') ? r : childPath(next.path, r);
          out.redirects.push({ path, entry: child, oldPath });
        } else pending.push({ path, entry: child });
      } else if (isMetacopy(child, ns)) out.metacopies.push(path);
    }
  }
  return out;
}

const SYNTHETIC_WHITEOUT = (name: string, mtimeMs: number): LayerEntry => ({
  name,
  type: 'char',
  mode: 0,
  uid: 0,
  gid: 0,
  size: 0,
  mtimeMs,
  ino: 0,
  nlink: 1,
  rdev: { major: 0, minor: 0 },
});

/** The items of the layer, in the order they are written. */
export function* planLayer(input: PlanInput): Generator<PlannedItem> {
  const { ns } = input;
  let upper = input.upper;
  const special = findSpecial(upper, ns);
  const needsMerged = special.redirects.length > 0 || special.metacopies.length > 0;
  const lowers = needsMerged ? input.lowers() : [];
  if (needsMerged && lowers.length === 0) {
    const what = special.redirects[0]?.path ?? special.metacopies[0] ?? '';
    throw new Error(
      `${printablePath(what)} is a redirect or metacopy, but there is no lower layer to read it from`,
    );
  }
  // Each old path of a renamed directory is whited out, if the upper does not hold something there already.
  for (const r of special.redirects) {
    if (entryAt(upper, r.oldPath)) continue;
    const parent = entryAt(upper, parentPath(r.oldPath));
    if (parent?.type !== 'dir') continue; // the kernel made it; without its parent, nothing below shows
    const name = baseName(r.oldPath);
    upper = withEntry(upper, r.oldPath, SYNTHETIC_WHITEOUT(name, r.entry.mtimeMs));
  }
  const view = needsMerged
    ? computeMerged(
        { upper, lowers },
        {
          xattrNamespace: ns,
          within: [...special.redirects.map((r) => r.path), ...special.metacopies],
        },
      )
    : undefined;
  const redirected = new Set(special.redirects.map((r) => r.path));

  // Depth first, names in byte order (a byte string's sort is byte order).
  const listDir = function* (dirPath: string, dir: LayerEntry): Generator<PlannedItem> {
    for (const name of [...(dir.children?.keys() ?? [])].sort()) {
      const entry = dir.children?.get(name) as LayerEntry;
      const path = childPath(dirPath, name);
      const ref: LayerRef = { layer: 'upper', path, entry };
      if (isWhiteout(entry, ns)) {
        yield { path, what: 'whiteout', entry, ref };
        continue;
      }
      if (entry.type === 'dir' && redirected.has(path)) {
        yield* fullDirectory(path);
        continue;
      }
      if (entry.type === 'file' && isMetacopy(entry, ns)) {
        const data = view && mergedAt(view, path)?.data;
        if (!data)
          throw new Error(
            `${printablePath(path)} is a metacopy file whose data is in no lower layer (the kernel says EIO)`,
          );
        yield { path, what: 'entry', entry, ref, data, ...linkKey(ref) };
        continue;
      }
      yield { path, what: 'entry', entry, ref, ...linkKey(ref) };
      if (entry.type === 'dir') {
        if (isOpaqueDir(entry, ns)) yield { path, what: 'opaque', entry, ref };
        yield* listDir(path, entry);
      }
    }
  };
  const fullDirectory = function* (path: string): Generator<PlannedItem> {
    const top = view && mergedAt(view, path);
    if (!top)
      throw new Error(`${printablePath(path)}: a renamed directory missing from the merged view`);
    for (const m of walkMerged(top)) {
      const item: PlannedItem = { path: m.path, what: 'entry', entry: m.top.entry, ref: m.top };
      if (m.data) item.data = m.data;
      else if (isMetacopy(m.top.entry, ns))
        throw new Error(
          `${printablePath(m.path)} is a metacopy file whose data is in no lower layer`,
        );
      yield { ...item, ...linkKey(m.top) };
      // What a lower held at the new name must not show through the copy.
      if (m === top && lowers.some((l) => entryAt(l, path)))
        yield { path, what: 'opaque', entry: m.top.entry, ref: m.top };
    }
  };
  yield* listDir('/', upper);
}

function linkKey(ref: LayerRef): { linkKey?: string } {
  const e = ref.entry;
  return e.type === 'file' && e.nlink > 1 ? { linkKey: `${ref.layer}:${inodeKey(e)}` } : {};
}
