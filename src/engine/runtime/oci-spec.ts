/**
 * The part of the OCI runtime spec (1.0.2, config.json) that overlay-tui
 * writes: field names and shapes as the spec has them, nothing more.
 */
import type { OciSeccomp } from '../confine/types.js';

export const OCI_VERSION = '1.0.2';

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options?: string[];
}

export interface OciDeviceRule {
  allow: boolean;
  type?: 'a' | 'b' | 'c';
  major?: number;
  minor?: number;
  access?: string;
}

export interface OciResources {
  devices: OciDeviceRule[];
  pids?: { limit: number };
  memory?: { limit: number; swap: number };
  cpu?: { quota: number; period: number };
}

export interface OciCapabilities {
  bounding: string[];
  effective: string[];
  permitted: string[];
  inheritable: string[];
  ambient: string[];
}

export interface OciIdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export interface OciConfig {
  ociVersion: string;
  process: {
    terminal: boolean;
    user: { uid: number; gid: number; additionalGids?: number[] };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: OciCapabilities;
    noNewPrivileges: boolean;
  };
  root: { path: string; readonly: boolean };
  hostname: string;
  mounts: OciMount[];
  linux: {
    namespaces: { type: string }[];
    uidMappings?: OciIdMapping[];
    gidMappings?: OciIdMapping[];
    cgroupsPath: string;
    resources: OciResources;
    seccomp?: OciSeccomp;
    maskedPaths: string[];
    readonlyPaths: string[];
  };
}
