// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata polyfill.
import 'reflect-metadata';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { certificateSet, FRONTEND_NAME, INTERNODE_NAME, type CertificateSet, type KeyPairFiles } from '../config/cert-files.js';
import { webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

/**
 * `npm run certs`: a certificate authority and the certificates for mTLS between luodi and
 * Temporal, for development and tests only (production brings its own, named by
 * TEMPORAL_TLS_* and Temporal's own configuration). Keys are ECDSA P-256, in PKCS#8 PEM files
 * readable by their owner alone. @peculiar/x509 makes them in Node, so no openssl is needed.
 */
x509.cryptoProvider.set(webcrypto as Crypto);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86400_000;

export function hasCertificates(set: CertificateSet): boolean {
  return [set.ca, set.frontend, set.internode, set.client, set.ui].every((p) => existsSync(p.cert) && existsSync(p.key));
}

/** An authority of its own: its certificate and the key it signs with. */
export interface Authority {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
}

async function newKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

export async function makeAuthority(name: string, days = 730): Promise<Authority> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + days * DAY),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys };
}

export interface LeafOptions {
  commonName: string;
  /** Names and addresses it answers to (servers). */
  hosts?: readonly string[];
  server?: boolean;
  client?: boolean;
  days?: number;
}

/** A certificate signed by the authority, and its key. */
export async function makeLeaf(ca: Authority, o: LeafOptions): Promise<{ cert: x509.X509Certificate; keys: CryptoKeyPair }> {
  const keys = await newKeys();
  const usages = [...(o.server ? [x509.ExtendedKeyUsage.serverAuth] : []), ...(o.client ? [x509.ExtendedKeyUsage.clientAuth] : [])];
  const names = (o.hosts ?? []).map((h) => ({ type: isIP(h) ? ('ip' as const) : ('dns' as const), value: h }));
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${o.commonName}`,
    issuer: ca.cert.subject,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + (o.days ?? 365) * DAY),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension(usages, false),
      ...(names.length ? [new x509.SubjectAlternativeNameExtension(names, false)] : []),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert, false),
    ],
  });
  return { cert, keys };
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return `${x509.PemConverter.encode(der, 'PRIVATE KEY')}\n`;
}

/** Writes a certificate and its key (the key readable by its owner only). */
export async function writePair(files: KeyPairFiles, pair: { cert: x509.X509Certificate; keys: CryptoKeyPair }): Promise<void> {
  writeFileSync(files.cert, `${pair.cert.toString('pem')}\n`);
  writeFileSync(files.key, await keyPem(pair.keys.privateKey), { mode: 0o600 });
  chmodSync(files.key, 0o600); // also when it replaces a file (--force), whatever that file's mode was
}

/** The hosts the servers' certificates name by default: loopback, and the compose file's service name. */
export const DEFAULT_HOSTS = ['localhost', '127.0.0.1', 'temporal'];

/** Makes a whole new set in `dir` (replacing one that is there). */
export async function makeCertificates(dir: string, hosts: readonly string[] = DEFAULT_HOSTS): Promise<CertificateSet> {
  mkdirSync(resolve(dir), { recursive: true, mode: 0o700 });
  const set = certificateSet(dir);
  const ca = await makeAuthority('luodi development CA');
  await writePair(set.ca, ca);
  await writePair(set.frontend, await makeLeaf(ca, { commonName: FRONTEND_NAME, hosts: [FRONTEND_NAME, ...hosts], server: true }));
  await writePair(set.internode, await makeLeaf(ca, { commonName: INTERNODE_NAME, hosts: [INTERNODE_NAME, ...hosts], server: true, client: true }));
  await writePair(set.client, await makeLeaf(ca, { commonName: 'luodi', client: true }));
  await writePair(set.ui, await makeLeaf(ca, { commonName: 'temporal-ui', client: true }));
  return set;
}

/** The set in `dir`, made first if any file is missing. */
export async function ensureCertificates(dir: string): Promise<{ set: CertificateSet; made: boolean }> {
  const set = certificateSet(dir);
  if (hasCertificates(set)) return { set, made: false };
  return { set: await makeCertificates(dir), made: true };
}
