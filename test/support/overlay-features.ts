/**
 * Which overlayfs situations a merged view holds, so the oracle can report
 * what its random runs actually exercised (a pass proves little about a
 * rule no run reached).
 */
import { isXattrWhiteout, validRedirect } from '../../src/overlay/entry-rules.js';
import { walkMerged, type MergedView } from '../../src/overlay/merged-view.js';

export function featuresOf(view: MergedView): Set<string> {
  const seen = new Set<string>();
  for (const m of walkMerged(view.root)) {
    const redirect = validRedirect(m.top.entry, view.ns);
    if (redirect !== undefined && m.stack && m.stack.length > 1) {
      seen.add(redirect.startsWith('/') ? 'absolute redirect' : 'relative redirect');
    }
    if (m.top.layer !== 'upper' && redirect !== undefined) seen.add('redirect in a lower layer');
    if (m.data) seen.add(m.top.layer === 'upper' ? 'metacopy' : 'metacopy in a lower layer');
    if (m.data && m.data.path !== m.path) seen.add('renamed metacopy (redirect)');
    if (m.stack && m.stack.length >= 3) seen.add('directory merged from 3+ layers');
    if (m.ghosts) seen.add('ghost name');
    if (m.lookup.stop?.why === 'type-mismatch') seen.add('type mismatch');
    if (m.lookup.stop?.why === 'opaque' && m.lookup.below.length > 0) {
      seen.add(m.top.layer === 'upper' ? 'opaque upper dir over a lower one' : 'opaque lower dir');
    }
    if (m.lookup.stop?.why === 'non-dir' && m.lookup.below.some((b) => b.entry.type === 'dir')) {
      seen.add('non-dir over a dir');
    }
    for (const found of m.masked?.values() ?? []) {
      const at = found.stop?.at;
      if (!at || found.below.length === 0) continue;
      if (isXattrWhiteout(at.entry, view.ns)) seen.add('xattr whiteout');
      else seen.add(at.layer === 'upper' ? 'upper whiteout' : 'lower whiteout');
    }
  }
  return seen;
}
