import { isIP } from 'node:net';
import { z } from 'zod';
import { TASK_QUEUE } from '../workflows/messages.js';
import { certificateSet, DEV_CERTS_DIR, FRONTEND_NAME } from './cert-files.js';

/**
 * Every setting luodi reads from the environment, with its default. The README's configuration
 * table is this list; keep them together.
 */
const port = (fallback: number) =>
  z.coerce
    .number({ error: 'must be a port number' })
    .int('must be a whole number')
    .min(0, 'must be between 0 and 65535')
    .max(65535, 'must be between 0 and 65535')
    .default(fallback);

/**
 * Express's `trust proxy`: which hops in front of luodi may say, in X-Forwarded-For and
 * X-Forwarded-Proto, who the client is and whether it came over TLS (for the Secure cookie flag
 * and the sign-in limits per address). `false` (the default): no proxy is trusted.
 */
export type TrustProxy = boolean | number | string[];

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
const isProxyAddress = (item: string) => {
  if (PROXY_NAMES.includes(item)) return true;
  const [address, prefix, ...rest] = item.split('/');
  const family = isIP(address ?? '');
  if (!family || rest.length) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
};

const trustProxy = z
  .string()
  .trim()
  .transform((value, ctx): TrustProxy => {
    if (value === 'false') return false;
    if (value === 'true') return true;
    if (/^\d{1,2}$/.test(value)) return Number(value);
    const items = value.split(',').map((x) => x.trim());
    if (items.every(isProxyAddress)) return items;
    ctx.addIssue({ code: 'custom', message: 'must be false, true, a number of proxies, or a comma-separated list of addresses, subnets (10.0.0.0/8) or loopback, linklocal, uniquelocal' });
    return z.NEVER;
  })
  .default(false);

const schema = z.object({
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:/]+:\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:7233')
    .default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().regex(/^[\w.-]{2,255}$/, 'must be a namespace name').default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1, 'must not be empty').default(TASK_QUEUE),
  TEMPORAL_UI_PORT: port(8233),
  /**
   * The Temporal UI server's own address (scheme, host and port, no path), which luodi proxies at
   * /temporal/ for signed-in province supervisors and coordinators; people never open it directly.
   * Default: TEMPORAL_ADDRESS's host on TEMPORAL_UI_PORT.
   */
  TEMPORAL_UI_URL: z.url('must be a URL, e.g. http://127.0.0.1:8233').optional(),
  /**
   * mTLS to Temporal's frontend: the CA that signed the server's certificate, and this process's
   * client certificate and key (PEM files). All three or none; `npm run certs` makes a set for
   * development and tests in .data/certs. Unset: plaintext (the dev server, which has no TLS).
   */
  TEMPORAL_TLS_CA: z.string().min(1, 'must be a file path').optional(),
  TEMPORAL_TLS_CERT: z.string().min(1, 'must be a file path').optional(),
  TEMPORAL_TLS_KEY: z.string().min(1, 'must be a file path').optional(),
  /** The name the frontend's certificate is issued to, when it differs from TEMPORAL_ADDRESS's host. */
  TEMPORAL_TLS_SERVER_NAME: z.string().regex(/^[\w.-]{1,253}$/, 'must be a host name').optional(),
  /**
   * The encryption keys (AES-256) for Temporal payloads and secrets kept in PostgreSQL: one
   * `id:base64` per line, the first encrypts, the rest only decrypt. ENCRYPTION_KEYS holds the
   * lines itself (separated by newlines or commas); otherwise ENCRYPTION_KEYS_FILE names a file
   * (`npm run keys` makes one). Never in the repository.
   */
  ENCRYPTION_KEYS: z.string().min(1).optional(),
  ENCRYPTION_KEYS_FILE: z.string().min(1, 'must be a file path').default('.data/encryption-keys'),
  TEMPORAL_DB_FILE: z.string().min(1, 'must be a file path').default('.data/temporal.db'),
  TEMPORAL_CLI_PATH: z.string().min(1).optional(),
  /** Which Temporal `npm start` runs when none answers at TEMPORAL_ADDRESS: the CLI's dev server, or Temporal's own server on PostgreSQL (npm run cluster). */
  TEMPORAL_MODE: z.enum(['dev', 'cluster'], 'must be dev or cluster').default('dev'),
  /** The cluster's PostgreSQL (its database part is ignored); by default DATABASE_URL's server. */
  TEMPORAL_POSTGRES_URL: z
    .url('must be a postgres:// URL')
    .refine((u) => /^postgres(ql)?:\/\//.test(u), 'must be a postgres:// URL')
    .optional(),
  TEMPORAL_PERSISTENCE_DB: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case database name').default('luodi_temporal'),
  TEMPORAL_VISIBILITY_DB: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case database name').default('luodi_temporal_visibility'),
  /** How long Temporal keeps a closed project's history (the namespace's retention, set when the cluster registers it). */
  TEMPORAL_RETENTION_DAYS: z.coerce.number('must be a number of days').int('must be a whole number').min(1).max(3650).default(90),
  DATABASE_URL: z
    .url('must be a postgres:// URL')
    .refine((u) => /^postgres(ql)?:\/\//.test(u), 'must be a postgres:// URL')
    .default('postgres://postgres@127.0.0.1:5432/luodi'),
  PORT: port(3000),
  TRUST_PROXY: trustProxy,
  /** How long a first request holds its Idempotency-Key before a repeat may run it again, and how long keys are kept. */
  IDEMPOTENCY_LEASE_MS: z.coerce.number('must be milliseconds').int().min(100).default(30_000),
  IDEMPOTENCY_TTL_HOURS: z.coerce.number('must be hours').int().min(1).max(24 * 90).default(24),
  WORKING_DAY_SECONDS: z.coerce.number('must be a number of seconds').positive('must be more than 0').optional(),
  /** Outgoing mail, e.g. smtp://user:pass@mail.example.gov.cn:587; unset: email notifications are not sent. */
  SMTP_URL: z.url('must be an smtp:// or smtps:// URL').refine((u) => /^smtps?:\/\//.test(u), 'must be an smtp:// or smtps:// URL').optional(),
  MAIL_FROM: z.string().min(3).default('luodi 落地 <luodi@localhost>'),
  /** The address people open luodi at, for links in notifications. */
  PUBLIC_URL: z.url('must be a URL, e.g. https://luodi.example.gov.cn').optional(),
  /** The notification dispatcher: how often it polls, how many tries before a notification is dead, and backoff. */
  DISPATCH_POLL_MS: z.coerce.number('must be milliseconds').int().min(10).default(1000),
  DISPATCH_MAX_ATTEMPTS: z.coerce.number('must be a whole number').int().min(1).max(50).default(6),
  DISPATCH_BACKOFF_MS: z.coerce.number('must be milliseconds').int().min(0).optional(),
  DISPATCH_LEASE_MS: z.coerce.number('must be milliseconds').int().min(100).default(300_000),
  DISPATCH_MAX_OPEN_CLAIMS: z.coerce.number('must be a whole number').int().min(1).max(50).default(3),
  /** Prometheus metrics, each on its own loopback port (unset: not served). */
  API_METRICS_PORT: z.coerce.number('must be a port').int().min(0).max(65535).optional(),
  WORKER_METRICS_PORT: z.coerce.number('must be a port').int().min(1).max(65535).optional(),
  DISPATCHER_METRICS_PORT: z.coerce.number('must be a port').int().min(0).max(65535).optional(),
  /** Workflows the worker keeps in its sticky cache (about 0.4 MiB each: bench/ measures it). */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number('must be a whole number').int().min(0).default(1000),
  /** How long the API trusts a cached API token without a word from PostgreSQL (any change to tokens or users clears the cache at once); 0: no cache. */
  API_TOKEN_CACHE_SECONDS: z.coerce.number('must be a number of seconds').int('must be a whole number').min(0).max(3600).default(60),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
}).superRefine((c, ctx) => {
  // mTLS needs the CA and this process's certificate and key together.
  const tls = ['TEMPORAL_TLS_CA', 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY'] as const;
  const set = tls.filter((k) => c[k] !== undefined);
  if (set.length && set.length < tls.length) {
    for (const k of tls.filter((k) => c[k] === undefined)) ctx.addIssue({ code: 'custom', path: [k], message: `must be set with ${set.join(' and ')} (mTLS needs all three)` });
  }
});

export type Config = Readonly<Omit<z.infer<typeof schema>, 'TEMPORAL_UI_URL' | 'PUBLIC_URL'> & { TEMPORAL_UI_URL: string; PUBLIC_URL: string }>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and checks the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set", as in most shells' `VAR= command`.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0]);
      return `  ${name}=${JSON.stringify(env[name] ?? '')}: ${i.message}`;
    });
    throw new ConfigError(`Invalid configuration; fix these environment variables:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const host = c.TEMPORAL_ADDRESS.split(':')[0];
  return Object.freeze({
    ...c,
    ...(c.TEMPORAL_MODE === 'cluster' && !c.TEMPORAL_TLS_CA ? developmentTls() : {}),
    TEMPORAL_UI_URL: c.TEMPORAL_UI_URL ?? `http://${host}:${c.TEMPORAL_UI_PORT}`,
    PUBLIC_URL: (c.PUBLIC_URL ?? `http://127.0.0.1:${c.PORT}`).replace(/\/$/, ''),
  });
}

/** TEMPORAL_MODE=cluster without TEMPORAL_TLS_*: the client side of the set `npm run certs` (and `npm run cluster`) make in .data/certs. */
function developmentTls() {
  const set = certificateSet(DEV_CERTS_DIR);
  return { TEMPORAL_TLS_CA: set.ca.cert, TEMPORAL_TLS_CERT: set.client.cert, TEMPORAL_TLS_KEY: set.client.key, TEMPORAL_TLS_SERVER_NAME: FRONTEND_NAME };
}

/** For entry points: a ConfigError from `load` stops start-up with the message alone, exit code 2. */
export function orExit<T>(load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
}

/** For entry points: a bad configuration stops start-up with the message alone, exit code 2. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  return orExit(() => loadConfig(env));
}
