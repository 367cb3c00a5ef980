/** The page views as pure functions of their props: escaped, nonce on every script, text from the one catalog. */
import { h, type ComponentChildren } from 'preact';
import { render } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import type { User } from '../../db/users.js';
import { CATALOG, translator } from '../../api/pages/catalog.js';
import { Dashboard } from '../../api/pages/views/dashboard.js';
import { FieldForm } from '../../api/pages/views/field-form.js';
import { Layout } from '../../api/pages/views/layout.js';
import { Notifications, type InAppNotification } from '../../api/pages/views/notifications.js';
import { ImportPage, RowProblems } from '../../api/pages/views/import.js';
import { ProjectList } from '../../api/pages/views/projects.js';
import type { Project } from '../../db/schema.js';

const NONCE = 'bm9uY2Utb2YtdGhpcy1yZXNwb25zZQ==';
const HOSTILE = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
const supervisor: User = { id: 'supervisor.li', name: HOSTILE, role: 'supervisor', city: null, department: null };

function page(view: ComponentChildren, lang: 'zh' | 'en' = 'zh'): string {
  return render(h(Layout, { t: translator(lang), nonce: NONCE, title: HOSTILE, user: supervisor, csrfToken: 'csrf', unread: 2, path: '/dashboard?period=2017Q1', children: view }));
}

const dashboard = (lang: 'zh' | 'en') =>
  h(Dashboard, {
    t: translator(lang),
    user: supervisor,
    query: { period: '2017Q1', city: null },
    data: { period: { from: '2017-01-01', to: '2017-03-31' }, stages: [{ stage: 'signed', count: 3 }], cities: [{ city: '沈阳', fundsYtdYi: '1.20', targetYi: null, completionPercent: null, schedulePoints: '-2.5', stuck: 1 }] },
    error: null,
  });

const form = h(FieldForm, {
  t: translator('zh'),
  id: 'task-form',
  action: '/projects/LN-2018-SY-0042/tasks/land',
  fields: [
    { key: 'parcel', type: 'text', required: true, label: { zh: '地块编号', en: 'Parcel' } },
    { key: 'land_payment', type: 'money', required: true, label: { zh: '土地款', en: 'Land payment' } },
  ],
  csrfToken: 'csrf',
  requestToken: 'req-1',
  submitLabel: '提交办结',
  form: { values: { parcel: HOSTILE, land_payment: HOSTILE }, errors: { land_payment: HOSTILE } },
});

const notification: InAppNotification = { id: '7', user_id: 'staff.wang', subject: HOSTILE, body: HOSTILE, link: '/projects/LN-2018-SY-0042', created_at: new Date('2017-03-01T02:00:00Z'), read_at: null } as InAppNotification;

const listed = { code: 'LN-2018-SY-0042', name: HOSTILE, investor: HOSTILE, city: '沈阳', stage: 'landing', liaison: HOSTILE, stuck: true, stuck_reasons: ['blocker'], overdue_tasks: 2 } as unknown as Project;
const projectList = (lang: 'zh' | 'en') =>
  h(ProjectList, { t: translator(lang), city: null, filters: { q: HOSTILE, stuck: true, limit: 1, offset: 0 }, items: [listed], total: 3, mayCreate: true });
const rowProblems = h(RowProblems, { t: translator('zh'), problems: [{ row: 3, column: '城市', reason: HOSTILE }], rows: [{ row: 3, cells: { 项目编号: HOSTILE, 城市: HOSTILE } }] });

describe('the coordinators\' pages', () => {
  it('list projects with their labels, filters kept in the paging links, and what people typed escaped', () => {
    const html = page(projectList('zh'));
    expect(html).toContain('落地');
    expect(html).toContain('2 项逾期');
    expect(html).toContain('共 3 个项目，第 1–1 个');
    expect(html).toMatch(/href="\/projects\?q=[^"]*stuck=true&amp;limit=1&amp;offset=1" rel="next"/);
    expect(page(projectList('en'), 'en')).toContain('3 projects, 1–1 shown');
    for (const view of [html, page(rowProblems)]) {
      expect(view).not.toContain('<script>alert(1)');
      expect(view).not.toContain('<img');
    }
  });

  it('show an import problem against its row, and serve the import script with the nonce', () => {
    expect(render(rowProblems)).toMatch(/data-row="3"[\s\S]*城市/);
    const html = page(h(ImportPage, { t: translator('zh'), csrfToken: 'csrf' }));
    expect(html).toContain(`src="/assets/luodi/import.js" nonce="${NONCE}"`);
    expect(html).toContain('name="_csrf" value="csrf"');
  });
});

describe('page views', () => {
  it('carry the nonce on every script and on the style sheet, and no inline event handler', () => {
    for (const html of [page(dashboard('zh')), page(dashboard('en'), 'en'), page(form)]) {
      const scripts = html.match(/<script\b[^>]*>/g) ?? [];
      expect(scripts.length).toBeGreaterThan(0);
      for (const tag of scripts) expect(tag).toContain(`nonce="${NONCE}"`);
      expect(html).toContain(`<style nonce="${NONCE}">`);
      expect(html).not.toMatch(/<[^>]*\son[a-z]+=/);
    }
  });

  it('escape what people typed, in text and in attributes', () => {
    for (const html of [page(form), page(h(Notifications, { t: translator('zh'), items: [notification], csrfToken: 'csrf' }))]) {
      expect(html).not.toContain('<script>alert(1)');
      expect(html).not.toContain('<img');
      expect(html).not.toMatch(/<[^>]*\son[a-z]+=/);
    }
    expect(page(form)).toContain('value="&quot;>&lt;script>alert(1)&lt;/script>&lt;img src=x onerror=alert(2)>"');
  });

  it('speak the page language, with the domain labels of workflows/reference.ts', () => {
    expect(page(dashboard('zh'))).toContain('签约');
    expect(page(dashboard('en'), 'en')).toContain('Signed');
    expect(page(dashboard('en'), 'en')).toContain('<html lang="en">');
    expect(page(dashboard('en'), 'en')).toContain('lang="zh">中文</a>');
  });
});

describe('the catalog', () => {
  it('gives every text in Chinese, and in English with the same values where it is bilingual', () => {
    const values = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [key, entry] of Object.entries(CATALOG)) {
      expect(entry.zh, key).not.toBe('');
      if ('en' in entry) {
        expect(entry.en, key).not.toBe('');
        expect(values(entry.en), key).toEqual(values(entry.zh));
      }
    }
  });

  it('fills in values, and looks labels up in the asked language', () => {
    expect(translator('en')('waitSeconds', { n: 30 })).toBe('Too many failed sign-ins; signing in is locked for now. Try again in 30 seconds');
    expect(translator('zh')('notice.days', { n: 3 })).toBe('3 天');
    expect(translator('en')('notice.days', { n: 3 })).toBe('3 天');
    expect(translator('en')({ zh: '土地落实', en: 'Land' })).toBe('Land');
    expect(translator('zh').time(null)).toBe('—');
  });
});
