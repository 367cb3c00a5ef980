import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { beforeAll, describe, expect, test } from 'vitest';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';

/**
 * docker-compose.yml and the Dockerfile cannot be run here (no Docker engine): Debian's
 * docker-compose validates the compose file and prints it resolved, and these tests hold what
 * the file must keep true. The Dockerfile is read as text.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const INSTALL = 'apt-get install -y --no-install-recommends docker-compose';

/**
 * The programs each image is known to contain, from the files it is built from. A new tag must
 * be checked again before it is added here.
 * - postgres: docker-library's postgres image carries the server's client programs; Temporal's
 *   own compose files (temporalio/samples-server compose/) check it with pg_isready.
 * - temporalio/server:1.32.2: docker/targets/server.Dockerfile of go.temporal.io/server@v1.32.2
 *   is Alpine (busybox: sh, nc) plus temporal-server and its entrypoint: no temporal CLI, no
 *   tctl. Temporal's compose files check it with `nc -z localhost 7233`.
 * - temporalio/admin-tools:1.32.2: docker/targets/admin-tools.Dockerfile of the same module:
 *   Alpine plus temporal, temporal-sql-tool, temporal-cassandra-tool,
 *   temporal-elasticsearch-tool and tdbg, with the schemas under /etc/temporal/schema.
 * - temporalio/ui:2.54.1: not listed; nothing waits on its health.
 * - luodi's own image (build: .): node (node:20.20.2-bookworm-slim).
 */
const IMAGE_COMMANDS: Record<string, string[]> = {
  'postgres:15.19-bookworm': ['pg_isready', 'psql', 'sh'],
  'temporalio/server:1.32.2': ['temporal-server', 'sh', 'nc'],
  'temporalio/admin-tools:1.32.2': ['temporal', 'temporal-sql-tool', 'tdbg', 'sh'],
};
const LUODI_IMAGE_COMMANDS = ['node'];

interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }>;
  ports?: (string | { target: number; published?: number | string })[];
  volumes?: (string | { type: string; source?: string })[];
  networks?: Record<string, unknown>;
  secrets?: { source: string }[];
}
interface Compose {
  services: Record<string, Service>;
  secrets?: Record<string, { file: string }>;
  networks?: Record<string, { internal?: boolean }>;
  volumes?: Record<string, unknown>;
}

/** Runs docker-compose with a clean environment and an empty env file, so that only the file's own defaults count. */
function dockerCompose(args: string[], env: Record<string, string> = {}) {
  const envFile = join(mkdtempSync(join(tmpdir(), 'luodi-compose-')), 'empty.env');
  writeFileSync(envFile, '');
  const run = spawnSync('docker-compose', ['--env-file', envFile, '-f', 'docker-compose.yml', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
  });
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(`docker-compose is not installed; it validates docker-compose.yml without a Docker engine. On Debian: ${INSTALL}`);
  }
  return run;
}

/** The program a health check or entrypoint runs: the first word of a CMD-SHELL string. */
function program(test: string[]): string {
  const [kind, ...rest] = test;
  if (kind === 'CMD-SHELL') return rest.join(' ').trim().split(/\s+/)[0]!;
  if (kind === 'CMD') return rest[0]!;
  return kind!;
}

function commandsIn(service: Service): string[] | undefined {
  return service.build ? LUODI_IMAGE_COMMANDS : IMAGE_COMMANDS[service.image ?? ''];
}

/** [published, target] of each port, short syntax (`[ip:]host:container[/proto]`) or long. */
function ports(service: Service): [string, string][] {
  return (service.ports ?? []).map((p) => {
    if (typeof p !== 'string') return [String(p.published ?? ''), String(p.target)];
    const parts = p.replace(/\/(tcp|udp)$/, '').split(':');
    return [parts.at(-2) ?? '', parts.at(-1)!];
  });
}

const LUODI_SERVICES = ['migrate', 'worker', 'dispatcher', 'api'];

describe('docker-compose.yml', () => {
  let compose: Compose;
  beforeAll(() => {
    const run = dockerCompose(['config'], { POSTGRES_PASSWORD: 'compose-test-only' });
    if (run.status !== 0) throw new Error(`docker-compose config refused docker-compose.yml:\n${run.stderr}`);
    compose = parse(run.stdout) as Compose;
  });

  test('validates, and has no default database password', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['api', 'dispatcher', 'migrate', 'postgres', 'temporal', 'temporal-namespace', 'temporal-schema', 'temporal-ui', 'worker'],
    );
    const withoutPassword = dockerCompose(['config', '--quiet']);
    expect(withoutPassword.status).not.toBe(0);
    expect(withoutPassword.stderr).toMatch(/POSTGRES_PASSWORD/);
  });

  test('every image has a pinned tag, none latest, and none is temporalio/auto-setup', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      const image = service.image ?? '';
      const tag = image.includes('@sha256:') ? 'digest' : image.slice(image.lastIndexOf('/') + 1).split(':')[1];
      expect(tag, `${name}: ${image || 'no image'}`).toMatch(/^[\w.-]+$/);
      expect(tag, `${name}: ${image}`).not.toBe('latest');
      expect(image, name).not.toMatch(/auto-setup/);
    }
  });

  test('the server and its admin tools are the same Temporal version', () => {
    const version = (image = '') => image.split(':')[1];
    expect(version(compose.services['temporal-schema']!.image)).toBe(version(compose.services.temporal!.image));
    expect(version(compose.services['temporal-namespace']!.image)).toBe(version(compose.services.temporal!.image));
  });

  test("only the API is published; Temporal's frontend (7233) and UI (8080) are not", () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [published, target] of ports(service)) {
        expect([published, target], name).not.toContain('7233');
        expect([published, target], name).not.toContain('8080');
      }
      if (name !== 'api') expect(ports(service), `${name} publishes nothing`).toEqual([]);
    }
    expect(ports(compose.services.api!)).toEqual([['3000', '3000']]);
    expect(compose.services.api!.ports).toEqual(['127.0.0.1:3000:3000/tcp']);
  });

  test('PostgreSQL, Temporal and its UI sit on a network with no way out', () => {
    expect(compose.networks?.backend?.internal).toBe(true);
    for (const name of ['postgres', 'temporal-schema', 'temporal', 'temporal-namespace', 'temporal-ui', 'migrate', 'worker']) {
      expect(Object.keys(compose.services[name]!.networks ?? {}), name).toEqual(['backend']);
    }
  });

  test('every service waited on as healthy has a health check its image can run', () => {
    const waitedOn = new Set(
      Object.values(compose.services).flatMap((s) => Object.entries(s.depends_on ?? {}).filter(([, d]) => d.condition === 'service_healthy').map(([n]) => n)),
    );
    expect([...waitedOn].sort()).toEqual(['postgres', 'temporal']);
    for (const name of waitedOn) {
      const service = compose.services[name]!;
      const check = service.healthcheck?.test;
      expect(check, `${name} has a health check`).toBeDefined();
      expect(commandsIn(service), `${name}: ${service.image} is in the table of known images`).toBeDefined();
      expect(commandsIn(service), `${name} runs ${check!.join(' ')}`).toContain(program(check!));
    }
  });

  test('every entrypoint runs a program its image has, and every mounted file exists', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.entrypoint) expect(commandsIn(service), `${name} runs ${service.entrypoint[0]}`).toContain(service.entrypoint[0]);
      for (const volume of service.volumes ?? []) {
        const source = typeof volume === 'string' ? volume.split(':')[0]! : (volume.source ?? '');
        if (source.startsWith('/')) expect(existsSync(source), `${name} mounts ${relative(root, source)}`).toBe(true);
      }
    }
    expect(compose.services.postgres!.volumes).toEqual(['pgdata:/var/lib/postgresql/data:rw']);
  });

  test("luodi's services are the Dockerfile's one image, each running a compiled entry point", () => {
    const images = new Set<string>();
    for (const name of LUODI_SERVICES) {
      const service = compose.services[name]!;
      expect(service.build, name).toEqual({ context: root.replace(/\/$/, '') });
      images.add(service.image!);
      const [node, script] = service.command!;
      expect(node, name).toBe('node');
      expect(script, name).toMatch(/^dist\/.+\.js$/);
      expect(existsSync(join(root, script!.replace(/^dist\//, '').replace(/\.js$/, '.ts'))), `${script} is compiled from a source file`).toBe(true);
    }
    expect(images.size).toBe(1);
    expect(compose.services.api!.healthcheck, 'the API keeps the image health check').toBeUndefined();
  });

  test('Temporal starts after its schema job, and luodi after its migrations and the namespace job', () => {
    const after = (name: string) => compose.services[name]!.depends_on ?? {};
    expect(after('temporal')['temporal-schema']?.condition).toBe('service_completed_successfully');
    expect(after('temporal-namespace').temporal?.condition).toBe('service_healthy');
    for (const name of ['worker', 'api']) {
      expect(after(name).migrate?.condition, name).toBe('service_completed_successfully');
      expect(after(name)['temporal-namespace']?.condition, name).toBe('service_completed_successfully');
    }
    expect(after('dispatcher').migrate?.condition).toBe('service_completed_successfully');
  });

  test('the Temporal UI is read-only, served under /temporal, and decodes through luodi\'s codec endpoint', () => {
    const env = compose.services['temporal-ui']!.environment!;
    for (const flag of ['DISABLE_WRITE_ACTIONS', 'BATCH_ACTIONS_DISABLED', 'START_WORKFLOW_DISABLED', 'ACTIVITY_COMMANDS_DISABLED', ...['TERMINATE', 'CANCEL', 'SIGNAL', 'UPDATE', 'RESET', 'PAUSE'].map((a) => `WORKFLOW_${a}_DISABLED`)]) {
      expect(env[`TEMPORAL_${flag}`], flag).toBe('true');
    }
    expect(env.TEMPORAL_UI_PUBLIC_PATH).toBe('/temporal');
    expect(env.TEMPORAL_CODEC_ENDPOINT).toBe('http://127.0.0.1:3000/temporal-codec');
    expect(compose.services.api!.environment!.TEMPORAL_UI_URL).toBe('http://temporal-ui:8080');
  });

  test('Temporal\'s frontend and services take only clients with a certificate; luodi, the UI and the namespace job each present one', () => {
    const secretsOf = (name: string) => (compose.services[name]!.secrets ?? []).map((x) => x.source);
    const server = compose.services.temporal!.environment!;
    expect(server.TEMPORAL_TLS_REQUIRE_CLIENT_AUTH).toBe('true');
    for (const key of ['SERVER_CA_CERT', 'SERVER_CERT', 'SERVER_KEY', 'FRONTEND_CERT', 'FRONTEND_KEY', 'CLIENT1_CA_CERT', 'CLIENT2_CA_CERT']) {
      const path = server[`TEMPORAL_TLS_${key}`];
      expect(path, key).toMatch(/^\/run\/secrets\//);
      expect(secretsOf('temporal'), key).toContain(path!.replace('/run/secrets/', ''));
    }
    // The dispatcher never talks to Temporal, and reaches outside: it holds no client certificate.
    expect(secretsOf('dispatcher')).toEqual(['luodi-encryption-keys']);
    for (const name of ['worker', 'api', 'temporal-namespace', 'temporal-ui']) {
      const env = compose.services[name]!.environment!;
      for (const key of ['TEMPORAL_TLS_CA', 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY']) {
        expect(env[key], `${name} ${key}`).toMatch(/^\/run\/secrets\//);
        expect(secretsOf(name), `${name} ${key}`).toContain(env[key]!.replace('/run/secrets/', ''));
      }
      expect(env.TEMPORAL_TLS_SERVER_NAME, name).toBe('temporal-frontend');
    }
    expect(compose.services['temporal-ui']!.environment!.TEMPORAL_TLS_CERT).not.toBe(compose.services.api!.environment!.TEMPORAL_TLS_CERT);
  });

  test('luodi\'s key ring comes from a secret file, never from the environment; certificates and keys stay out of git', () => {
    for (const name of LUODI_SERVICES.filter((n) => n !== 'migrate')) {
      const service = compose.services[name]!;
      expect(service.environment!.ENCRYPTION_KEYS, name).toBeUndefined();
      expect(service.environment!.ENCRYPTION_KEYS_FILE, name).toBe('/run/secrets/luodi-encryption-keys');
      expect((service.secrets ?? []).map((x) => x.source), name).toContain('luodi-encryption-keys');
    }
    expect(compose.services.migrate!.secrets ?? []).toEqual([]);
    const files = Object.values(compose.secrets ?? {}).map((x) => relative(root, x.file));
    expect(files.length).toBe(10);
    const ignored = spawnSync('git', ['check-ignore', ...files], { cwd: root, encoding: 'utf8' });
    expect(ignored.stdout.trim().split('\n').sort()).toEqual([...files].sort());
  });

  test("the namespace job registers exactly luodi's search attributes", () => {
    const script = readFileSync(join(root, 'deploy/compose/temporal-namespace.sh'), 'utf8');
    const registered = [...script.matchAll(/--name (\w+) --type (\w+)/g)].map(([, name, type]) => `${name}=${type}`);
    const cliType = (type: string) => type.toLowerCase().replace(/(^|_)(\w)/g, (_, __, c: string) => c.toUpperCase());
    expect(registered.sort()).toEqual(SEARCH_ATTRIBUTES.map((a) => `${a.name}=${cliType(a.type)}`).sort());
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const lines = dockerfile.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const stages: string[][] = [];
  for (const line of lines) {
    if (line.startsWith('FROM ')) stages.push([line]);
    else stages.at(-1)?.push(line);
  }
  const runtime = stages.at(-1)!;

  test('builds in stages from pinned images', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const [from] of stages) expect(from).toMatch(/^FROM node:\d+\.\d+\.\d+-bookworm-slim AS \w+$/);
  });

  test('the runtime stage has production dependencies only, a non-root user, a health check and the API by default', () => {
    expect(runtime.some((l) => /^RUN npm ci .*--omit=dev/.test(l))).toBe(true);
    expect(runtime).toContain('ENV NODE_ENV=production');
    const user = runtime.filter((l) => l.startsWith('USER ')).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER (root|0)(:|$)/);
    expect(runtime.some((l) => l.startsWith('HEALTHCHECK ') && l.includes('/healthz'))).toBe(true);
    expect(runtime.at(-1)).toBe('CMD ["node", "dist/api/main.js"]');
    expect(lines.join('\n'), 'nothing runs tsx').not.toMatch(/\btsx\b/);
  });

  test('copies what tsconfig.build.json compiles, from files that exist and are not ignored', () => {
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    const copied = lines.filter((l) => l.startsWith('COPY ') && !l.includes('--from=')).flatMap((l) => l.split(/\s+/).slice(1, -1));
    for (const source of copied) {
      expect(existsSync(join(root, source)), `COPY ${source}`).toBe(true);
      expect(ignored, `${source} is in the build context`).not.toContain(source);
    }
    const build = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as { include: string[] };
    for (const path of build.include) expect(copied, `${path} is copied`).toContain(path.split('/')[0]);
  });
});
