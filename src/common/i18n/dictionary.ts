/**
 * One context's texts in the service's languages. Bokmål is complete and defines the keys; the
 * other languages may leave keys out, and a missing key reads from the language's fallback
 * (common/i18n/languages.ts). A context that wants every language complete says so in its own
 * types (the portal does: its pages must never mix languages).
 */
import { FALLBACK, LANGS, type Lang } from './languages.js';

export type Texts = Record<string, string>;

export interface DictionarySource<T extends Texts> {
  nb: T;
  nn?: Partial<T>;
  en?: Partial<T>;
}

export class Dictionary<T extends Texts> {
  private readonly resolved: Readonly<Record<Lang, Readonly<T>>>;

  /** Texts that every language has in full: the compiler refuses a missing key. */
  static complete<T extends Texts>(texts: Readonly<Record<Lang, T>>): Dictionary<T> {
    return new Dictionary(texts);
  }

  constructor(source: DictionarySource<T>) {
    const out = {} as Record<Lang, Readonly<T>>;
    // LANGS is in fallback order (a language's fallback comes before it), so one pass suffices.
    for (const lang of LANGS) {
      const fallback = FALLBACK[lang];
      out[lang] = Object.freeze({
        ...(fallback ? out[fallback] : {}),
        ...definedOnly(source[lang]),
      } as unknown as T);
    }
    this.resolved = Object.freeze(out);
  }

  /** Every text in `lang`, each missing one taken from its fallback. */
  in(lang: Lang): Readonly<T> {
    return this.resolved[lang];
  }
}

function definedOnly<T extends Texts>(texts: Partial<T> | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(texts ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}
