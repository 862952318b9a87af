/**
 * A catalog for tests that declare their own commands: descriptions and
 * argument labels that no feature has. Only the typecheck of the tests sees
 * it (`npm run build` compiles src alone), so src cannot use these keys.
 */
import type { Catalog } from '../../src/core/i18n.js';

export const testMessages = {
  'test.command': { 'zh-CN': '指令', en: 'A command' },
  'test.arg': { 'zh-CN': '参数', en: 'An argument' },
  'test.long': { 'zh-CN': '长', en: 'x'.repeat(150) },
  'arg.offset': { 'zh-CN': '偏移', en: 'offset' },
  'arg.note': { 'zh-CN': '备注', en: 'note' },
} satisfies Catalog;

declare module '../../src/core/i18n.js' {
  interface Catalogs {
    test: typeof testMessages;
  }
}
