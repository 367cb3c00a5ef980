import { BEIJING_TIME_ZONE } from '../../workflows/beijing-time.js';
import type { Label } from '../../workflows/reference.js';
// The texts themselves are data: JSON files, { key: { zh, en } } (Chinese-only entries have zh alone),
// one for the pages everyone uses, one for the coordinators' project pages, one for the admin's pages.
import entries from './catalog.json' with { type: 'json' };
import projectEntries from './catalog-projects.json' with { type: 'json' };
import adminEntries from './catalog-admin.json' with { type: 'json' };

/**
 * Every text of the pages, in both languages, looked up by one function (`translator`). The
 * domain's own vocabularies (stages, departments, stuck reasons, audiences) are not copied here:
 * their labels live in workflows/reference.ts and are looked up by the same function, as are the
 * titles and field labels that come with a task's template. `{name}` marks a value filled in.
 */
export type Lang = 'zh' | 'en';

/** Chinese in both languages: the printable 督办单 and the dispatch meeting's official headings. */
interface ChineseOnly {
  zh: string;
}

export const CATALOG = { ...entries, ...projectEntries, ...adminEntries } satisfies Record<string, Label | ChineseOnly>;

export type TextKey = keyof typeof CATALOG;

/** A catalog entry, or a label that comes with the data (reference.ts, a task's template). */
export type Text = TextKey | Label;

export type TextValues = Record<string, string | number>;

/** Looks a text up in the request's language; also formats times as people read them in Beijing. */
export interface Translate {
  (text: Text, values?: TextValues): string;
  readonly lang: Lang;
  /** An instant as people read it in Beijing; '—' if there is none. */
  time(iso: string | Date | null | undefined): string;
}

const LOCALE: Readonly<Record<Lang, string>> = { zh: 'zh-CN', en: 'en-GB' };

/** The `lang` of the <html> element, and the other language, which the header offers. */
export const HTML_LANG: Readonly<Record<Lang, string>> = { zh: 'zh-CN', en: 'en' };
export const OTHER_LANG: Readonly<Record<Lang, Lang>> = { zh: 'en', en: 'zh' };

/** The language of the workflow's and the API's own reasons for refusing a value. */
export const VALIDATOR_LANG: Lang = 'en';

export function translator(lang: Lang): Translate {
  const lookup = (text: Text, values?: TextValues): string => {
    const entry: Label | ChineseOnly = typeof text === 'string' ? CATALOG[text] : text;
    const found = 'en' in entry ? (entry as Label)[lang] : entry.zh;
    return values ? found.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole)) : found;
  };
  const time = (iso: string | Date | null | undefined) =>
    iso ? new Date(iso).toLocaleString(LOCALE[lang], { timeZone: BEIJING_TIME_ZONE, dateStyle: 'medium', timeStyle: 'short' }) : '—';
  return Object.assign(lookup, { lang, time });
}
