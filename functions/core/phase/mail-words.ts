/**
 * The words of the alert emails, in English, French and Spanish: every sentence a reader sees around the signals.
 * Counts agree with their numbers (plural.ts: French 0 and 1 singular), numbers and days are in the reader's locale
 * (text.ts), French has its no-break spaces (written here as NBSP, and checked by test/functions/core/phase/mail.test.ts).
 * No statistics and no codes: a Member is named by its country's name in the reader's language.
 */
import type { Lang } from '../operation/config.ts';
import { agree } from '../vocabulary/plural.ts';
import { count, counted, day, NBSP as S, num, ofOperation, operationName } from './text.ts';

/** The counts of a phase an alert states. */
export interface PhaseCounts {
  readonly lines: number;
  readonly cases: number;
  readonly units: number;
  readonly members: number;
}

/** A Member's own figures in the phase (its NCP's email only). */
export interface OwnCounts {
  /** The Member's name in the reader's language. */
  readonly name: string;
  readonly lines: number;
  readonly cases: number;
  readonly units: number;
}

export interface MailWords {
  subjectFinal: (op: string, phase: number, n: number) => string;
  subjectInterim: (op: string, phase: number, asOf: string, n: number) => string;
  intro: (op: string, phase: number, mode: 'final' | 'interim', asOf: string) => string;
  /** The phase's figures, each count with its word in agreement: "1 seizure in 1 case". */
  figures: (f: PhaseCounts) => string;
  /** The reader's own Member in the phase. */
  own: (o: OwnCounts) => string;
  /** The reader's Member sent "nothing to report" for the phase. */
  ownNil: (name: string) => string;
  /** The nudge: the reader's Member reported nothing (yet) in the phase. */
  nudge: (name: string, phase: number, mode: 'final' | 'interim') => string;
  nudgeHow: string;
  uploadLink: string;
  nilLink: string;
  signalsHead: string;
  none: string;
  /** "… and 3 more in the summary (2 rising, 1 new item)." */
  more: (n: number, kinds: string) => string;
  /** The link to the run's page on the portal: the text version's lead, the HTML version's link text. */
  read: string;
  open: string;
  /** No portal URL (a local cloud run without its portal): where the summary is, in words. */
  noLink: string;
  confidential: string;
}

export const MAIL_WORDS: Readonly<Record<Lang, MailWords>> = {
  en: {
    subjectFinal: (op, phase, n) => `${op}: phase ${phase} summary, ${counted(n, 'en', 'signal', 'signals')}`,
    subjectInterim: (op, phase, asOf, n) =>
      `${op}: phase ${phase} interim update to ${day(asOf, 'en')}, ${counted(n, 'en', 'signal', 'signals')}`,
    intro: (op, phase, mode, asOf) =>
      mode === 'final'
        ? `The summary of phase ${phase} ${ofOperation(op, 'en')} is ready.`
        : `Interim update of phase ${phase} ${ofOperation(op, 'en')}, with the seizures dated up to ${day(asOf, 'en')}.`,
    figures: (f) =>
      `In this phase: ${count(f.lines, 'seizure', 'en')} in ${count(f.cases, 'case', 'en')}, ${count(f.units, 'unit', 'en')}, reported by ${count(f.members, 'member', 'en')}.`,
    own: (o) =>
      `Your Member (${o.name}) in this phase: ${count(o.lines, 'seizure', 'en')} in ${count(o.cases, 'case', 'en')}, ${count(o.units, 'unit', 'en')}.`,
    ownNil: (name) => `Your Member (${name}) sent “nothing to report” for this phase.`,
    nudge: (name, phase, mode) =>
      mode === 'final'
        ? `Your Member (${name}) reported no seizures for phase ${phase}.`
        : `Your Member (${name}) has reported no seizures for phase ${phase} so far.`,
    nudgeHow:
      'If you made seizures, please upload them on the portal. If you made none, say so there with “Nothing to report”: it counts as your answer for the phase.',
    uploadLink: 'Upload seizures',
    nilLink: 'Send “nothing to report”',
    signalsHead: 'Signals, strongest first:',
    none: 'No new or rising signal.',
    more: (n, kinds) => `… and ${num(n, 'en')} more in the summary (${kinds}).`,
    read: 'Read the summary on the portal',
    open: 'Open the summary',
    noLink: "The full summary is on the operation's portal: sign in to read it.",
    confidential: 'For the National Contact Points of the operation. Aggregated figures only.',
  },
  fr: {
    subjectFinal: (op, phase, n) =>
      `${operationName(op, 'fr')}${S}: synthèse de la phase ${phase}, ${counted(n, 'fr', 'signal', 'signaux')}`,
    subjectInterim: (op, phase, asOf, n) =>
      `${operationName(op, 'fr')}${S}: point d'étape de la phase ${phase} au ${day(asOf, 'fr')}, ${counted(n, 'fr', 'signal', 'signaux')}`,
    intro: (op, phase, mode, asOf) =>
      mode === 'final'
        ? `La synthèse de la phase ${phase} ${ofOperation(op, 'fr')} est prête.`
        : `Point d'étape de la phase ${phase} ${ofOperation(op, 'fr')}, avec les saisies datées jusqu'au ${day(asOf, 'fr')}.`,
    figures: (f) =>
      `Dans cette phase${S}: ${count(f.lines, 'seizure', 'fr')} dans ${count(f.cases, 'case', 'fr')}, ${count(f.units, 'unit', 'fr')}, ${agree(f.lines, 'fr', 'déclarée', 'déclarées')} par ${count(f.members, 'member', 'fr')}.`,
    own: (o) =>
      `Votre Membre (${o.name}) dans cette phase${S}: ${count(o.lines, 'seizure', 'fr')} dans ${count(o.cases, 'case', 'fr')}, ${count(o.units, 'unit', 'fr')}.`,
    ownNil: (name) => `Votre Membre (${name}) a envoyé «${S}rien à déclarer${S}» pour cette phase.`,
    nudge: (name, phase, mode) =>
      mode === 'final'
        ? `Votre Membre (${name}) n'a déclaré aucune saisie pour la phase ${phase}.`
        : `Votre Membre (${name}) n'a encore déclaré aucune saisie pour la phase ${phase}.`,
    nudgeHow: `Si vous avez effectué des saisies, déposez-les sur le portail. Si vous n'en avez effectué aucune, indiquez-le sur le portail avec «${S}Rien à déclarer${S}»${S}: cela vaut réponse pour la phase.`,
    uploadLink: 'Déposer des saisies',
    nilLink: `Envoyer «${S}rien à déclarer${S}»`,
    signalsHead: `Signaux, du plus fort au plus faible${S}:`,
    none: 'Aucun signal nouveau ou en hausse.',
    more: (n, kinds) => `… et ${num(n, 'fr')} ${agree(n, 'fr', 'autre', 'autres')} dans la synthèse (${kinds}).`,
    read: 'Lire la synthèse sur le portail',
    open: 'Ouvrir la synthèse',
    noLink: `La synthèse complète est sur le portail de l'opération${S}: connectez-vous pour la lire.`,
    confidential: "Pour les points de contact nationaux de l'opération. Chiffres agrégés uniquement.",
  },
  es: {
    subjectFinal: (op, phase, n) => `${operationName(op, 'es')}: resumen de la fase ${phase}, ${counted(n, 'es', 'señal', 'señales')}`,
    subjectInterim: (op, phase, asOf, n) =>
      `${operationName(op, 'es')}: avance de la fase ${phase} al ${day(asOf, 'es')}, ${counted(n, 'es', 'señal', 'señales')}`,
    intro: (op, phase, mode, asOf) =>
      mode === 'final'
        ? `El resumen de la fase ${phase} ${ofOperation(op, 'es')} está listo.`
        : `Avance de la fase ${phase} ${ofOperation(op, 'es')}, con las incautaciones fechadas hasta el ${day(asOf, 'es')}.`,
    figures: (f) =>
      `En esta fase: ${count(f.lines, 'seizure', 'es')} en ${count(f.cases, 'case', 'es')}, ${count(f.units, 'unit', 'es')}, ${agree(f.lines, 'es', 'declarada', 'declaradas')} por ${count(f.members, 'member', 'es')}.`,
    own: (o) =>
      `Su Miembro (${o.name}) en esta fase: ${count(o.lines, 'seizure', 'es')} en ${count(o.cases, 'case', 'es')}, ${count(o.units, 'unit', 'es')}.`,
    ownNil: (name) => `Su Miembro (${name}) envió «nada que declarar» para esta fase.`,
    nudge: (name, phase, mode) =>
      mode === 'final'
        ? `Su Miembro (${name}) no declaró ninguna incautación en la fase ${phase}.`
        : `Su Miembro (${name}) aún no ha declarado ninguna incautación en la fase ${phase}.`,
    nudgeHow:
      'Si realizó incautaciones, súbalas al portal. Si no realizó ninguna, indíquelo en el portal con «Nada que declarar»: cuenta como su respuesta para la fase.',
    uploadLink: 'Subir incautaciones',
    nilLink: 'Enviar «nada que declarar»',
    signalsHead: 'Señales, de la más fuerte a la más débil:',
    none: 'Ninguna señal nueva o en aumento.',
    more: (n, kinds) => `… y ${num(n, 'es')} más en el resumen (${kinds}).`,
    read: 'Leer el resumen en el portal',
    open: 'Abrir el resumen',
    noLink: 'El resumen completo está en el portal de la operación: inicie sesión para leerlo.',
    confidential: 'Para los puntos de contacto nacionales de la operación. Solo cifras agregadas.',
  },
};
