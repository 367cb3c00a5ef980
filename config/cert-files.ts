import { join, resolve } from 'node:path';

/** Where `npm run certs` puts its development set, and where TEMPORAL_MODE=cluster looks for it. */
export const DEV_CERTS_DIR = '.data/certs';

/** The name the frontend's and the services' certificates are issued to, besides the hosts. */
export const FRONTEND_NAME = 'temporal-frontend';
export const INTERNODE_NAME = 'temporal-internode';

export interface KeyPairFiles {
  cert: string;
  key: string;
}

/** Where each file of a set of certificates lives, under one directory. */
export interface CertificateSet {
  dir: string;
  /** The authority that signed all of the others; every party trusts it. */
  ca: KeyPairFiles;
  /** Temporal's frontend (luodi's processes and the UI server connect to it). */
  frontend: KeyPairFiles;
  /** Temporal's services among themselves, and its system worker calling the frontend. */
  internode: KeyPairFiles;
  /** luodi's API, worker, dispatcher and scripts. */
  client: KeyPairFiles;
  /** The Temporal UI server, which reads through the frontend. */
  ui: KeyPairFiles;
}

export function certificateSet(dir: string): CertificateSet {
  const abs = resolve(dir);
  const pair = (name: string) => ({ cert: join(abs, `${name}.pem`), key: join(abs, `${name}-key.pem`) });
  return { dir: abs, ca: pair('ca'), frontend: pair('frontend'), internode: pair('internode'), client: pair('client'), ui: pair('ui') };
}
