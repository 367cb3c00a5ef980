import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../config/index.js';

describe('loadConfig', () => {
  test('documented defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'luodi-projects',
      TEMPORAL_UI_PORT: 8233,
      TEMPORAL_UI_URL: 'http://127.0.0.1:8233',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/luodi',
      PORT: 3000,
      LOG_LEVEL: 'info',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  test('values from the environment; an empty one counts as unset', () => {
    const config = loadConfig({ PORT: '8080', TEMPORAL_ADDRESS: 'temporal.internal:7233', LOG_LEVEL: '', TEMPORAL_UI_PORT: '9000' });
    expect(config).toMatchObject({ PORT: 8080, TEMPORAL_ADDRESS: 'temporal.internal:7233', LOG_LEVEL: 'info', TEMPORAL_UI_URL: 'http://temporal.internal:9000' });
  });

  test.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['TEMPORAL_ADDRESS', 'localhost'],
    ['DATABASE_URL', 'mysql://root@127.0.0.1/luodi'],
    ['LOG_LEVEL', 'verbose'],
    ['TEMPORAL_UI_URL', 'not a url'],
    ['WORKING_DAY_SECONDS', '-5'],
  ])('a malformed %s=%s is refused with a message naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}=`));
  });

  test('every bad variable is named at once', () => {
    expect(() => loadConfig({ PORT: 'x', LOG_LEVEL: 'loud' })).toThrow(/PORT=.*\n.*LOG_LEVEL=/s);
  });

  test('a command stops at start-up with the message and exit code 2', async () => {
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'api/main.ts'], { env: { ...process.env, PORT: 'eighty' } });
    await expect(run).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('PORT="eighty": must be a port number') });
  });
});
