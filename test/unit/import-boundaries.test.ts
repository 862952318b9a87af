/**
 * The layer rule in eslint.config.js: the core, the features and the job
 * runtime see platforms only through core ports (core/sender.ts), never by
 * importing src/platforms; adapters may import the core.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The probes are not files of the TypeScript project, so the type-aware rules (and the project service) are off here.
const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false } },
    rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-misused-promises': 'off' },
  },
});

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import boundaries', () => {
  const probes: Array<[string, string]> = [
    ['src/core/probe.ts', "import type { Adapter } from '../platforms/adapter.js';\nexport type X = Adapter;\n"],
    ['src/core/outbox/probe.ts', "import { wecomAdapter } from '../../platforms/wecom/adapter.js';\nexport const x = wecomAdapter;\n"],
    ['src/features/lottery/probe.ts', "import type { AdapterDeps } from '../../platforms/adapter.js';\nexport type X = AdapterDeps;\n"],
    ['src/jobs/probe.ts', "import { platformAdapters } from '../platforms/index.js';\nexport const x = platformAdapters;\n"],
  ];
  it.each(probes)('%s may not import src/platforms', async (filePath, code) => {
    const messages = await restrictedImports(filePath, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('Platforms depend on the core');
  });

  it('platforms and the job runtime may import the core Sender port', async () => {
    expect(await restrictedImports('src/platforms/probe/sender.ts', "import { SendError } from '../../core/sender.js';\nexport const x = SendError;\n")).toEqual([]);
    expect(await restrictedImports('src/jobs/probe.ts', "import { SendError } from '../core/sender.js';\nexport const x = SendError;\n")).toEqual([]);
  });
});
