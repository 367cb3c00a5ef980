import { parseArgs } from 'node:util';
import { DEV_CERTS_DIR } from '../config/cert-files.js';
import { DEFAULT_HOSTS, hasCertificates, makeCertificates } from './certs.js';
import { certificateSet } from '../config/cert-files.js';

/**
 * `npm run certs [-- --dir DIR] [--host NAME]... [--force]`: a development CA and certificates
 * for mTLS between luodi and Temporal (scripts/certs.ts). An existing set is kept unless --force.
 */
const usage = 'usage: npm run certs [-- --dir DIR] [--host NAME]... [--force]';
let args;
try {
  args = parseArgs({ options: { dir: { type: 'string', default: DEV_CERTS_DIR }, host: { type: 'string', multiple: true }, force: { type: 'boolean', default: false } } }).values;
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n${usage}\n`);
  process.exit(2);
}
const existing = certificateSet(args.dir);
if (hasCertificates(existing) && !args.force) {
  process.stdout.write(`A set is already in ${existing.dir}; --force replaces it (every process and the server must then be restarted).\n`);
} else {
  const set = await makeCertificates(args.dir, args.host?.length ? args.host : DEFAULT_HOSTS);
  process.stdout.write(`Made a development CA and certificates in ${set.dir} (for development and tests only; production brings its own).\n`);
}
process.stdout.write(
  [
    'luodi\'s processes use them with:',
    `  TEMPORAL_TLS_CA=${existing.ca.cert}`,
    `  TEMPORAL_TLS_CERT=${existing.client.cert}`,
    `  TEMPORAL_TLS_KEY=${existing.client.key}`,
    '  TEMPORAL_TLS_SERVER_NAME=temporal-frontend',
    '(TEMPORAL_MODE=cluster sets these by itself when they are unset.)',
    '',
  ].join('\n'),
);
