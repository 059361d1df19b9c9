/** `seizures template [--lang en|fr|es] [-o FILE]` */
import { writeTemplate } from '../../functions/core/validation/template.ts';
import { configOption, langOf, parse, readConfig } from './common.ts';

export const usage = 'seizures template [--lang en|fr|es] [-o FILE] [--config FILE]';

export async function templateCommand(args: string[]): Promise<number> {
  const { values } = parse(args, { lang: { type: 'string' }, output: { type: 'string', short: 'o' }, ...configOption }, false);
  const lang = langOf(values.lang) ?? 'en';
  const config = readConfig(values.config);
  const file = values.output ?? `${config.id}-template-${lang}.xlsx`;
  await writeTemplate(config, lang, file);
  process.stdout.write(`Template (${lang}) written to ${file}\n`);
  return 0;
}
