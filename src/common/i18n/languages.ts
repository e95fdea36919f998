/**
 * The service's languages (DESIGN §4.8: the three official written languages) and how a request
 * chooses one. Each context keeps its own texts (common/i18n/dictionary.ts) and says which
 * languages it writes; a language it does not write falls back along FALLBACK.
 */
export const LANGS = ['nb', 'nn', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'nb';

/** Nynorsk readers read Bokmål far better than English; English falls back to the default. */
export const FALLBACK: Readonly<Record<Lang, Lang | null>> = { nb: null, nn: 'nb', en: 'nb' };

/** Names of the languages in themselves, for switchers (WCAG 3.1.2: marked with their own `lang`). */
export const LANGUAGE_NAMES: Readonly<Record<Lang, string>> = { nb: 'Bokmål', nn: 'Nynorsk', en: 'English' };

/** BCP 47 locale for dates and numbers. */
export const LOCALES: Readonly<Record<Lang, string>> = { nb: 'nb-NO', nn: 'nn-NO', en: 'en-GB' };

/** Exactly one of our language codes (stored values: a receipt's language). */
export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGS as readonly string[]).includes(value);
}

/** Our language for a language tag or `?lang=` value (`no` and `nb-NO` are Bokmål), else undefined. */
export function langOfTag(tag: unknown): Lang | undefined {
  if (typeof tag !== 'string') return undefined;
  const primary = tag.trim().toLowerCase().split('-')[0];
  if (primary === 'no') return 'nb';
  return (LANGS as readonly string[]).includes(primary) ? (primary as Lang) : undefined;
}

/** `lang`, or the first language along its fallbacks that `offered` contains. */
export function closestOffered<L extends Lang>(lang: Lang, offered: readonly L[]): L {
  for (let l: Lang | null = lang; l !== null; l = FALLBACK[l])
    if ((offered as readonly Lang[]).includes(l)) return l as L;
  return DEFAULT_LANG as L;
}

/**
 * The language to answer in: a `?lang=` naming one of ours, else the most preferred language of
 * `Accept-Language` that is ours, else Bokmål — each brought to the closest language the
 * context offers. Never an error: a visitor always gets a page.
 */
export function negotiateLang<L extends Lang>(
  offered: readonly L[],
  query: unknown,
  acceptLanguage?: string,
): L {
  const asked = langOfTag(query) ?? preferredOf(acceptLanguage) ?? DEFAULT_LANG;
  return closestOffered(asked, offered);
}

function preferredOf(acceptLanguage: string | undefined): Lang | undefined {
  if (!acceptLanguage) return undefined;
  return acceptLanguage
    .split(',')
    .map((part, order) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^q=([0-9.]+)$/.exec(p.trim())).find(Boolean);
      return { lang: langOfTag(tag), q: q ? Number(q[1]) : 1, order };
    })
    .filter((l) => l.lang !== undefined && l.q > 0)
    .sort((a, b) => b.q - a.q || a.order - b.order)[0]?.lang;
}

/** A date and time in Norway's time zone, as people there read it. */
export function formatDateTime(date: Date, lang: Lang): string {
  return new Intl.DateTimeFormat(LOCALES[lang], {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'Europe/Oslo',
  }).format(date);
}
