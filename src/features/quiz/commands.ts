import type { CommandSpec } from '../../core/commands/spec.js';
import type { Reply } from '../../core/reply.js';
import type { QuizMode } from './repo.js';
import type { Args } from '../../core/commands/args.js';
import { formatLocal } from '../../core/time/when.js';
import { listBankErrors, type QuizService, type StartOptions } from './service.js';

/** The options shared by /quiz start and /quiz schedule. */
function startOptions(args: Args): StartOptions {
  const mode = args.optionalString('mode') as QuizMode | undefined;
  const bank = args.optionalString('bank');
  const questions = args.optionalInt('questions');
  const seconds = args.optionalInt('seconds');
  return {
    ...(bank !== undefined ? { bank } : {}),
    ...(questions !== undefined ? { questions } : {}),
    ...(seconds !== undefined ? { seconds } : {}),
    ...(mode !== undefined ? { mode } : {}),
  };
}

export function quizCommands(service: QuizService): CommandSpec[] {
  return [
    {
      name: 'quiz',
      aliases: ['答题', '竞猜'],
      description: 'quiz.describe',
      role: 'member',
      defaultSubcommand: 'status',
      subcommands: [
        {
          name: 'start',
          aliases: ['开始'],
          shortcuts: ['开始答题'],
          description: 'quiz.start.describe',
          role: 'admin',
          args: [
            { name: 'bank', type: 'word', description: 'quiz.arg.bank' },
            { name: 'questions', type: 'int', named: true, min: 1, description: 'quiz.arg.questions' },
            { name: 'seconds', type: 'int', named: true, min: 1, description: 'quiz.arg.seconds' },
            { name: 'mode', type: 'choice', named: true, choices: { first: 'choice.mode.first', all: 'choice.mode.all' }, choiceAliases: { 抢答: 'first', 全员: 'all' }, description: 'quiz.arg.mode' },
          ],
          async handler(ctx, args): Promise<Reply> {
            const started = await service.start(ctx, startOptions(args));
            return { text: ctx.t('quiz.startedReply', { id: started.sessionId, bank: started.bank, count: started.count }), ephemeral: true };
          },
        },
        {
          name: 'schedule',
          aliases: ['定时'],
          description: 'quiz.schedule.describe',
          role: 'admin',
          args: [
            { name: 'cron', type: 'word', required: true, description: 'quiz.arg.cron' },
            { name: 'bank', type: 'word', description: 'quiz.arg.bank' },
            { name: 'questions', type: 'int', named: true, min: 1, description: 'quiz.arg.questions' },
            { name: 'seconds', type: 'int', named: true, min: 1, description: 'quiz.arg.seconds' },
            { name: 'mode', type: 'choice', named: true, choices: { first: 'choice.mode.first', all: 'choice.mode.all' }, choiceAliases: { 抢答: 'first', 全员: 'all' }, description: 'quiz.arg.mode' },
            { name: 'remind', type: 'word', named: true, description: 'quiz.arg.remind' },
          ],
          async handler(ctx, args): Promise<Reply> {
            const { id, next } = await service.schedule(ctx, args.string('cron'), startOptions(args), args.optionalString('remind'));
            return { text: ctx.t('quiz.scheduled', { id, cron: args.string('cron'), timezone: ctx.community.timezone, next: formatLocal(next, ctx.community.timezone) }) };
          },
        },
        { name: 'schedules', aliases: ['定时列表'], description: 'quiz.schedules.describe', role: 'admin', handler: (ctx) => service.schedules(ctx) },
        {
          name: 'unschedule',
          aliases: ['取消定时'],
          description: 'quiz.unschedule.describe',
          role: 'admin',
          args: [{ name: 'id', type: 'int', required: true, min: 1, description: 'quiz.arg.scheduleId' }],
          async handler(ctx, args): Promise<Reply> {
            await service.unschedule(ctx, args.int('id'));
            return { text: ctx.t('quiz.unscheduled', { id: args.int('id') }), ephemeral: true };
          },
        },
        {
          name: 'stop',
          aliases: ['结束', '停止'],
          shortcuts: ['结束答题'],
          description: 'quiz.stop.describe',
          role: 'admin',
          handler: async (ctx): Promise<Reply> => ({ text: ctx.t('quiz.stoppedReply', { id: (await service.stop(ctx)) }), ephemeral: true }),
        },
        {
          name: 'answer',
          aliases: ['回答'],
          description: 'quiz.answer.describe',
          role: 'member',
          args: [
            { name: 'session', type: 'int', required: true, min: 1, description: 'quiz.arg.session' },
            { name: 'n', type: 'int', required: true, min: 1, description: 'quiz.arg.n' },
            { name: 'answer', type: 'text', required: true, description: 'quiz.arg.answer' },
          ],
          handler: (ctx, args): Promise<Reply> => service.answer(ctx, args.int('session'), args.int('n'), args.string('answer')),
        },
        {
          name: 'status',
          aliases: ['题目', '当前'],
          description: 'quiz.status.describe',
          role: 'member',
          handler: (ctx): Promise<Reply> => service.status(ctx),
        },
        {
          name: 'banks',
          aliases: ['题库'],
          description: 'quiz.banks.describe',
          role: 'member',
          handler(ctx): Reply {
            const banks = service.bankList();
            const lines = banks.map(({ key, bank }) => ctx.t('quiz.bankRow', { key, name: bank.name, count: bank.questions.length }));
            if (banks.length === 0) lines.push(ctx.t('quiz.noBanks'));
            const errors = service.bankErrors();
            if (ctx.isAdmin && errors.length > 0) lines.push(ctx.t('quiz.bankErrors'), ...listBankErrors(errors).map((e) => `- ${e}`));
            return { title: ctx.t('quiz.banksTitle'), text: lines.join('\n'), ephemeral: true };
          },
        },
      ],
    },
  ];
}
