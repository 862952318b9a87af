/**
 * The message catalog. Every user-visible sentence lives in a feature's
 * `messages.ts` in zh-CN and en; handlers only name keys.
 */
import type { coreMessages } from './messages.js';

export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/**
 * The catalogs, by name, as types. Each catalog adds itself where it is
 * written, so the core imports no feature:
 *
 *     export const lotteryMessages = { ... } satisfies Catalog;
 *     declare module '../../core/i18n.js' {
 *       interface Catalogs { lottery: typeof lotteryMessages }
 *     }
 *
 * `MessageKey` is the union of their keys: `t('lottery.notFoud')` or
 * `new UserError('...')` with a key no catalog has does not compile.
 */
export interface Catalogs {
  core: typeof coreMessages;
}

export type MessageKey = { [C in keyof Catalogs]: keyof Catalogs[C] & string }[keyof Catalogs];

/** What follows `prefix` in the keys that start with it: `KeySuffix<'arg.'>` is every argument name with a label. */
export type KeySuffix<Prefix extends string, K extends string = MessageKey> = K extends `${Prefix}${infer Rest}` ? Rest : never;
/**
 * A parameter is a value, or text that is itself translated when the
 * message is rendered (a field or argument name inside an error built where
 * the community's language is not known yet).
 */
export type MessageParam = string | number | Localized;
export type MessageParams = Record<string, MessageParam>;
/** A catalog as written: every key with its text in every locale. */
export type Catalog = Record<string, Record<Locale, string>>;
/** Catalogs the I18n accepts: only keys of `Catalogs`, so every key it holds is a `MessageKey`. */
export type KnownCatalog = { readonly [K in MessageKey]?: Record<Locale, string> };

export type Translate = (key: MessageKey, params?: MessageParams) => string;

/**
 * Text rendered in the reader's language: a catalog key with its parameters,
 * or a template built in code (command syntax such as `/grant {a0}`) whose
 * parameters are translated.
 */
export type Localized = { key: MessageKey; params?: MessageParams } | { template: string; params: MessageParams };

export function localized(key: MessageKey, params?: MessageParams): Localized {
  return params ? { key, params } : { key };
}

export function renderLocalized(t: Translate, value: Localized): string {
  return 'key' in value ? t(value.key, value.params) : interpolate(value.template, value.params, (nested) => renderLocalized(t, nested));
}

export class I18n {
  private readonly entries = new Map<MessageKey, Record<Locale, string>>();

  /** Add a catalog; a catalog typed with plain string keys (`Catalog`) does not compile. */
  add<C extends KnownCatalog>(catalog: C & Record<Exclude<keyof C, MessageKey>, never>): void {
    for (const key of Object.keys(catalog) as MessageKey[]) {
      const texts = (catalog as KnownCatalog)[key];
      if (!texts) continue;
      if (this.entries.has(key)) throw new Error(`message key defined twice: ${key}`);
      this.entries.set(key, texts);
    }
  }

  /** Whether `key` was added (a text from outside, such as a command description read back). */
  has(key: string): key is MessageKey {
    return this.entries.has(key as MessageKey);
  }

  keys(): MessageKey[] {
    return [...this.entries.keys()];
  }

  t(locale: Locale, key: MessageKey, params: MessageParams = {}): string {
    const texts = this.entries.get(key);
    // A missing key is a programming error; fail loudly rather than show a key to a member.
    if (!texts) throw new Error(`unknown message key: ${key}`);
    return interpolate(texts[locale], params, (nested) => renderLocalized(this.translator(locale), nested));
  }

  translator(locale: Locale): Translate {
    return (key, params) => this.t(locale, key, params);
  }
}

/** Fill `{name}` placeholders; `render` turns a nested Localized parameter into text. */
export function interpolate(template: string, params: MessageParams, render: (nested: Localized) => string = noTranslator): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'object' ? render(value) : String(value);
  });
}

function noTranslator(): never {
  throw new Error('a translated message parameter needs a translator (use I18n.t)');
}

/** Chinese ordinal/number-friendly formatting is the same digits; only separators differ. */
export function formatNumber(locale: Locale, n: number): string {
  return n.toLocaleString(locale === 'zh-CN' ? 'zh-CN' : 'en-US');
}
