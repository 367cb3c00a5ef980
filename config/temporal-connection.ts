import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { Config } from './index.js';

/** Where a Temporal frontend is and how to reach it: what Connection.connect and NativeConnection.connect both take. */
export interface TemporalEndpoint {
  address: string;
  /** mTLS: the CA that signed the frontend's certificate, and this process's certificate; absent: plaintext. */
  tls?: TLSConfig;
}

type TlsSettings = Pick<Config, 'TEMPORAL_TLS_CA' | 'TEMPORAL_TLS_CERT' | 'TEMPORAL_TLS_KEY' | 'TEMPORAL_TLS_SERVER_NAME'>;

/** The client side of mTLS that TEMPORAL_TLS_* name, read from their files; undefined when they are unset. */
export function temporalTls(config: TlsSettings): TLSConfig | undefined {
  if (!config.TEMPORAL_TLS_CA) return undefined;
  const read = (name: keyof TlsSettings, path: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new Error(`${name}=${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); run npm run certs for a development set, or point ${name} at the file`, { cause: err });
    }
  };
  return {
    serverRootCACertificate: read('TEMPORAL_TLS_CA', config.TEMPORAL_TLS_CA),
    clientCertPair: { crt: read('TEMPORAL_TLS_CERT', config.TEMPORAL_TLS_CERT!), key: read('TEMPORAL_TLS_KEY', config.TEMPORAL_TLS_KEY!) },
    ...(config.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: config.TEMPORAL_TLS_SERVER_NAME } : {}),
  };
}

/** TEMPORAL_ADDRESS with the mTLS settings, for every luodi process and script. */
export function temporalEndpoint(config: TlsSettings & Pick<Config, 'TEMPORAL_ADDRESS'>): TemporalEndpoint {
  const tls = temporalTls(config);
  return { address: config.TEMPORAL_ADDRESS, ...(tls ? { tls } : {}) };
}

/** How an endpoint is named in messages: its address, and whether it is reached over mTLS. */
export function describeEndpoint(e: TemporalEndpoint): string {
  return `${e.address} (${e.tls ? 'mTLS' : 'plaintext'})`;
}
