import { createHmac } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { OutboxRow } from '../db/outbox.js';
import { renderNotification } from '../db/notification-text.js';
import { messageIdOf, webhookBody, webhookSignature } from '../worker/channels.js';

const row = {
  dedupe_key: 'LN-2018-SY-0042/task/land/rung/2/city_bureau/webhook:1/webhook',
  kind: 'escalation',
  audience: 'city_bureau',
  project_code: 'LN-2018-SY-0042',
  subject: '【督办单】沈阳机器人产业园：土地落实已逾期（第2级督办）',
  body: '项目：沈阳机器人产业园\n任务：土地落实',
  link: 'http://luodi.test/notices/LN-2018-SY-0042/land/2',
  payload: { rung: 2 },
} as unknown as OutboxRow;

describe('webhook messages', () => {
  test('WeCom and DingTalk group robots get markdown messages; others get luodi JSON', () => {
    expect(JSON.parse(webhookBody('wecom', row))).toEqual({ msgtype: 'markdown', markdown: { content: expect.stringContaining('### 【督办单】沈阳机器人产业园') } });
    expect(JSON.parse(webhookBody('dingtalk', row))).toEqual({ msgtype: 'markdown', markdown: { title: row.subject, text: expect.stringContaining('任务：土地落实') } });
    expect(JSON.parse(webhookBody('generic', row))).toMatchObject({ id: row.dedupe_key, subject: row.subject, link: row.link });
  });

  test('the signature is HMAC-SHA256 over timestamp and body', () => {
    const expected = createHmac('sha256', 'secret').update('1700000000.{"a":1}').digest('hex');
    expect(webhookSignature('secret', '1700000000', '{"a":1}')).toBe(`sha256=${expected}`);
    expect(webhookSignature('other', '1700000000', '{"a":1}')).not.toBe(`sha256=${expected}`);
  });

  test('a notification keeps one Message-ID', () => {
    expect(messageIdOf(row.dedupe_key)).toBe(messageIdOf(row.dedupe_key));
    expect(messageIdOf(row.dedupe_key)).toMatch(/^<[0-9a-f]{40}@luodi>$/);
  });

  test('texts are Chinese and name the rung; a confidential project shows what the workflow put in the payload', () => {
    const text = renderNotification(
      { dedupeKey: 'k', projectCode: 'LN-1', kind: 'escalation', audience: 'city_leader', city: '沈阳', department: 'ecology_environment', payload: { project: '青松项目', taskKey: 'eia', title: { zh: '环评批复' }, department: 'ecology_environment', rung: 3, dueAt: '2018-07-01T16:00:00.000Z' }, requestedAt: '' },
      'http://luodi.test',
    );
    expect(text.subject).toBe('【市级领导督办】青松项目：环评批复已逾期（第3级督办）');
    expect(text.body).toContain('责任部门：生态环境');
    expect(text.link).toBe('http://luodi.test/notices/LN-1/eia/3');
  });
});
