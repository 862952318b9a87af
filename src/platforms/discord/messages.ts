import type { Catalog } from '../../core/i18n.js';

/** Texts the Discord adapter answers itself, outside the router. */
export const discordMessages = {
  'discord.buttonInvalid': {
    'zh-CN': '这个按钮无效或已过期，请直接使用对应的指令。',
    en: 'This button is not valid (anymore). Please use the command instead.',
  },
} satisfies Catalog;

declare module '../../core/i18n.js' {
  interface Catalogs {
    discord: typeof discordMessages;
  }
}
