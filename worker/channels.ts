import { createHash, createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { KeyRing } from '../config/key-ring.js';
import type { Db } from '../db/connection.js';
import type { OutboxRow } from '../db/outbox.js';
import { webhookEndpointForDelivery } from '../db/webhooks.js';

/** Delivers one outbox row on its channel, or throws saying why not. */
export type Deliver = (row: OutboxRow) => Promise<void>;

/** The same notification always carries the same Message-ID, so a receiver can drop a repeat. */
export function messageIdOf(dedupeKey: string): string {
  return `<${createHash('sha256').update(dedupeKey).digest('hex').slice(0, 40)}@luodi>`;
}

export function emailChannel(smtpUrl: string | undefined, from: string): Deliver {
  // A server that stalls is given up on well within the dispatcher's lease (5 minutes by default),
  // so no other dispatcher claims the row while this one may still be sending it.
  const transport = smtpUrl ? nodemailer.createTransport({ url: smtpUrl, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 }) : null;
  return async (row) => {
    if (!transport) throw new Error('no SMTP server is configured (SMTP_URL)');
    if (!row.email) throw new Error(`user ${row.user_id} has no email address`);
    await transport.sendMail({ from, to: row.email, subject: row.subject, text: row.body, messageId: messageIdOf(row.dedupe_key), headers: { 'X-Luodi-Dedupe-Key': row.dedupe_key } });
  };
}

/** The HMAC-SHA256 signature a receiver checks: over "<timestamp>.<body>" with the endpoint's secret. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The message body: luodi's own JSON, or the markdown message WeCom and DingTalk group robots take. */
export function webhookBody(format: 'generic' | 'wecom' | 'dingtalk', row: OutboxRow): string {
  const markdown = `### ${row.subject}\n\n${row.body.split('\n').join('\n\n')}`;
  if (format === 'wecom') return JSON.stringify({ msgtype: 'markdown', markdown: { content: markdown } });
  if (format === 'dingtalk') return JSON.stringify({ msgtype: 'markdown', markdown: { title: row.subject, text: markdown } });
  return JSON.stringify({ id: row.dedupe_key, kind: row.kind, audience: row.audience, projectCode: row.project_code, subject: row.subject, body: row.body, link: row.link, payload: row.payload });
}

/** Signs with the endpoint's secret, kept sealed in PostgreSQL and opened with the key ring for each delivery. */
export function webhookChannel(db: Db, keyRing: KeyRing, timeoutMs = 10_000): Deliver {
  return async (row) => {
    const endpoint = await webhookEndpointForDelivery(db, keyRing, row.webhook_id!);
    const body = webhookBody(endpoint.format, row);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const res = await fetch(endpoint.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-luodi-timestamp': timestamp,
        'x-luodi-signature': webhookSignature(endpoint.secret, timestamp, body),
        'x-luodi-delivery': row.dedupe_key,
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) throw new Error(`the receiver answered ${res.status} ${res.statusText}`);
  };
}
