/**
 * The message catalog. Every user-visible sentence lives in a feature's
 * `messages.ts` in zh-CN and en; handlers only name keys.
 */
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export type MessageKey = string;
export type MessageParams = Record<string, string | number>;
export type Catalog = Record<MessageKey, Record<Locale, string>>;

export type Translate = (key: MessageKey, params?: MessageParams) => string;

export class I18n {
  private readonly entries = new Map<MessageKey, Record<Locale, string>>();

  add(catalog: Catalog): void {
    for (const [key, texts] of Object.entries(catalog)) {
      if (this.entries.has(key)) throw new Error(`message key defined twice: ${key}`);
      this.entries.set(key, texts);
    }
  }

  has(key: MessageKey): boolean {
    return this.entries.has(key);
  }

  keys(): MessageKey[] {
    return [...this.entries.keys()];
  }

  t(locale: Locale, key: MessageKey, params: MessageParams = {}): string {
    const texts = this.entries.get(key);
    // A missing key is a programming error; fail loudly rather than show a key to a member.
    if (!texts) throw new Error(`unknown message key: ${key}`);
    return interpolate(texts[locale], params);
  }

  translator(locale: Locale): Translate {
    return (key, params) => this.t(locale, key, params);
  }
}

export function interpolate(template: string, params: MessageParams): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

/** Chinese ordinal/number-friendly formatting is the same digits; only separators differ. */
export function formatNumber(locale: Locale, n: number): string {
  return n.toLocaleString(locale === 'zh-CN' ? 'zh-CN' : 'en-US');
}
