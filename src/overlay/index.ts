/**
 * The layer model's public API: scan layers (the only I/O), compute the
 * merged view, classify upper and lower entries. For the diff command, the
 * watcher and the UI.
 */
export type {
  EntryType,
  LayerEntry,
  LayerId,
  LayerRef,
  OverlayStack,
  OverlayXattrs,
  XattrNamespace,
} from './layer-entry.js';
export {
  baseName,
  childPath,
  entryAt,
  inodeKey,
  isAtOrUnder,
  parentPath,
  pathParts,
  layerName,
  sameEntry,
  sameInode,
  walkEntries,
  withEntry,
} from './layer-entry.js';
export {
  notedTooLong,
  scanEntry,
  scanLayer,
  takePathTooLong,
  tooLongMessage,
} from './layer-scan.js';
export {
  isDeviceWhiteout,
  isMetacopy,
  isWhiteout,
  isXattrWhiteout,
  validRedirect,
} from './entry-rules.js';
export type { LookupResult, StopReason } from './overlay-lookup.js';
export {
  computeMerged,
  mergedAt,
  walkMerged,
  type MergedEntry,
  type MergedView,
  type MergeOptions,
} from './merged-view.js';
export {
  classifyUpper,
  type ClassifyOptions,
  type CopyUpChanges,
  type DataChange,
  type LowerPlace,
  type UpperChange,
  type UpperKind,
} from './classify-upper.js';
export {
  classifyLowers,
  type LowerReason,
  type LowerState,
  type LowerStatus,
} from './classify-lower.js';
export { decodeOriginHandle, type OriginHandle } from './origin-handle.js';
export {
  changeEvents,
  type ChangeEvent,
  type ChangeEventKind,
  type ChangedPart,
  type UpperState,
} from './change-events.js';
export { diffJson, diffLetter, diffLine, type DiffLetter } from './diff-format.js';
export { lowerPhrase, lowerRef, namedLower, type StackLabels } from './lower-label.js';
export { hostId, idMapArg, OVERFLOW_ID, type IdMap } from './id-map.js';
