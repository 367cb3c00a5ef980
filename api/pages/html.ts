import type { User } from '../../db/users.js';
import { t, type Lang } from './i18n.js';

/** HTML-escaped text; `raw` marks markup that is already safe. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function raw(value: string): Html {
  return new Html(value);
}

function escape(value: unknown): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(escape).join('');
  if (value === null || value === undefined || value === false) return '';
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Tagged template: every interpolated value is escaped unless it is Html. */
export function h(strings: TemplateStringsArray, ...values: unknown[]): Html {
  return new Html(strings.reduce((out, s, i) => out + s + (i < values.length ? escape(values[i]) : ''), ''));
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font-family:system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#1f2933;background:#f5f7fa;line-height:1.5}
header{background:#b3261e;color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.75rem;align-items:center}
header a,header button{color:#fff;text-decoration:none;background:none;border:0;font:inherit;cursor:pointer;padding:0}
header .brand{font-weight:700;margin-right:auto}main{max-width:960px;margin:0 auto;padding:1rem}
h1{font-size:1.35rem;margin:.5rem 0 1rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
.card{background:#fff;border-radius:8px;padding:1rem;margin:0 0 .75rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.overdue{border-left:4px solid #b3261e}.badge{display:inline-block;padding:0 .5rem;border-radius:999px;font-size:.85rem;background:#e4e7eb}
.badge.red{background:#fde8e7;color:#b3261e}.muted{color:#616e7c;font-size:.9rem}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}input,select,textarea{width:100%;padding:.55rem;font:inherit;border:1px solid #cbd2d9;border-radius:6px}
.field.invalid input,.field.invalid select,.field.invalid textarea{border-color:#b3261e}.error{color:#b3261e;margin:.25rem 0 0;font-size:.9rem;min-height:0}
button.link{background:none;border:0;color:#1864ab;text-decoration:underline;cursor:pointer;font:inherit;padding:0;margin-left:.75rem}
button.primary{margin-top:1rem;background:#b3261e;color:#fff;border:0;border-radius:6px;padding:.7rem 1.2rem;font:inherit;width:100%}
.money{display:flex;gap:.5rem}.money input{flex:3}.money select{flex:1}
table{width:100%;border-collapse:collapse;background:#fff}td,th{padding:.5rem;border-bottom:1px solid #e4e7eb;text-align:left;vertical-align:top}
.flash{background:#e3f9e5;border-radius:8px;padding:.75rem 1rem;margin-bottom:1rem}.alert{background:#fde8e7;border-radius:8px;padding:.75rem 1rem;margin-bottom:1rem}
@media (min-width:700px){button.primary{width:auto}}
@media print{header,.noprint{display:none}body{background:#fff}.card{box-shadow:none}}
@media (max-width:600px){table,tbody,tr,td{display:block}thead{display:none}tr{border-bottom:1px solid #e4e7eb;padding:.5rem 0}td{border:0;padding:.15rem .75rem}td[data-label]::before{content:attr(data-label);display:block;font-size:.8rem;color:#616e7c}}
`;

export interface LayoutOptions {
  lang: Lang;
  /** This response's CSP nonce: the inline style sheet carries it. */
  nonce: string;
  title: string;
  user: User | null;
  csrfToken: string | null;
  /** Unread in-app notifications of the signed-in user. */
  unread?: number;
  path: string;
  body: Html;
}

export function layout(o: LayoutOptions): string {
  const other = o.lang === 'zh' ? 'en' : 'zh';
  const switchHref = `${o.path}${o.path.includes('?') ? '&' : '?'}lang=${other}`;
  const nav = o.user
    ? h`${o.user.role === 'staff' ? h`<a href="/inbox">${t(o.lang, 'inbox')}</a>` : ''}
        ${o.user.role === 'supervisor' || o.user.role === 'coordinator' ? h`<a href="/stuck">${t(o.lang, 'stuck')}</a><a href="/dashboard">${o.lang === 'zh' ? '看板' : 'Dashboard'}</a>` : ''}
        ${o.user.role === 'verifier' ? h`<a href="/funds">${o.lang === 'zh' ? '待核实资金' : 'Funds to verify'}</a>` : ''}
        <a href="/notifications" id="unread">${o.lang === 'zh' ? '通知' : 'Notifications'}${o.unread ? h` <span class="badge red">${o.unread}</span>` : ''}</a>
        <a href="/account/password" id="account" title="${o.lang === 'zh' ? '修改密码' : 'Change password'}">${o.user.name}</a>
        <form method="post" action="/signout" style="display:inline"><input type="hidden" name="_csrf" value="${o.csrfToken}"><button type="submit">${t(o.lang, 'signOut')}</button></form>`
    : '';
  return `<!doctype html>
<html lang="${o.lang === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(o.title)} · luodi</title>
<style nonce="${escape(o.nonce)}">${STYLE}</style>
</head>
<body>
<header><a class="brand" href="/">${escape(t(o.lang, 'appName'))}</a>${nav}<a href="${escape(switchHref)}" lang="${other}">${other === 'en' ? 'English' : '中文'}</a></header>
<main>
${o.body}
</main>
</body>
</html>`;
}
