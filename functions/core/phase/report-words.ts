/**
 * The words of the NCP reports (summary.{lang}.html and .xlsx) in each language: titles, sheet names, column heads,
 * notes: tables only, apart from labels.ts, which words the figures.
 */
import type { Lang } from '../operation/config.ts';
import type { NoveltyKind } from '../trends/novelty.ts';
import { count, NBSP, num } from './text.ts';

export type Words = {
  title: (op: string, phase: number, mode: 'final' | 'interim', asOf: string) => string;
  dates: (phase: number, range: string, counted: string) => string;
  ncpBadge: string;
  analystsBadge: string;
  signals: (n: number) => string;
  noSignal: string;
  more: (n: number) => string;
  kinds: { rising: string; alarm: string; new: string; falling: string; outlier: string };
  phase: (n: number) => string;
  sinceStart: string;
  cards: {
    lines: string;
    cases: string;
    units: string;
    kg: string;
    litres: string;
    members: string;
    value: (lines: number) => string;
  };
  charts: string;
  chart: {
    unitsByCategory: (phase: number) => string;
    perWeek: string;
    topRoutes: (phase: number) => string;
    topOrigins: (phase: number) => string;
    rising: string;
    alarms: string;
    noRising: string;
    otherNotShown: (lines: string, n: number) => string;
    expected: string;
    expectedAtMost: string;
    weekOf: (week: string) => string;
  };
  head: {
    category: string;
    product: string;
    member: string;
    /** byMember of the NCP version: its rows are WCO regions, each the sum of its reporting Members. */
    region: string;
    route: string;
    origin: string;
    transport: string;
    concealment: string;
    detection: string;
    infringement: string;
    lines: string;
    cases: string;
    units: string;
    kg: string;
    litres: string;
    members: string;
    breakdown: string;
    week: string;
    trend: string;
    what: string;
    label: string;
    ratio: string;
    interval: string;
    kind: string;
    firstSeen: string;
    rank: string;
    profile: string;
    previous: string;
    growth: string;
    unit: string;
    seizures: string;
    signal: string;
    value: string;
    item: string;
    sinceStart: string;
  };
  sections: {
    categories: string;
    byCategory: string;
    byProduct: string;
    reporting: string;
    routes: string;
    routesHead: string;
    origins: string;
    how: string;
    transport: string;
    concealment: string;
    detection: string;
    infringement: string;
    trends: string;
    alarms: string;
    newItems: string;
    risk: string;
    outliers: string;
  };
  none: string;
  moreInWorkbook: (n: number) => string;
  trendsNote: (phase: number, base: string) => string;
  noEarlier: string;
  alarmsNote: (weeks: number) => string;
  annex: (n: number) => string;
  annexNote: string;
  riskNote: (min: number) => string;
  outliersNote: string;
  footer: (run: string, asOf: string) => string;
  other: (min: number) => string;
  rising: string;
  falling: string;
  run: (runLabel: string) => string;
  operation: string;
  version: string;
  phaseDates: string;
  counted: string;
  overview: string;
  sheets: { overview: string; signals: string; breakdowns: string; weeks: string; trends: string; risk: string; outliers: string };
  annexKind: string;
  dimensions: Readonly<Record<string, string>>;
  novelty: Readonly<Record<NoveltyKind, string>>;
  pieces: string;
  doses: string;
  packs: string;
  participating: string;
  reportingMembers: string;
};

const en: Words = {
  title: (op, phase, mode, asOf) => `${op} — phase ${phase} ${mode === 'final' ? 'summary' : `interim update to ${asOf}`}`,
  dates: (phase, range, counted) => `Phase ${phase}: ${range}; seizures counted ${counted}.`,
  ncpBadge: 'For every National Contact Point: aggregated figures only.',
  analystsBadge: 'Analysts’ version: contains Members’ case references. Do not forward.',
  signals: (n) => `Signals (${num(n, 'en')})`,
  noSignal: 'No signal in this run.',
  more: (n) => `${num(n, 'en')} more, by kind:`,
  kinds: { rising: 'Rising', alarm: 'Weekly alarms', new: 'New', falling: 'Falling', outlier: 'Unusually large seizures' },
  phase: (n) => `Phase ${n}`,
  sinceStart: 'Since the start of the operation',
  cards: {
    lines: 'seizure lines',
    cases: 'cases',
    units: 'units (pieces, doses, packs)',
    kg: 'kg',
    litres: 'litres',
    members: 'Members reporting / taking part',
    value: (n) => `estimated value (${count(n, 'line', 'en')})`,
  },
  charts: 'Charts',
  chart: {
    unitsByCategory: (p) => `Units by category, phase ${p}`,
    perWeek: 'Seizure lines per week, since the start of the operation',
    topRoutes: (p) => `Top routes by seizure lines, phase ${p}`,
    topOrigins: (p) => `Top origin countries by seizure lines, phase ${p}`,
    rising: 'Rising products: seizure lines in the earlier phases and this phase',
    alarms: 'Weekly alarms on products: the week against what was expected',
    noRising: 'Rising products: none in this run.',
    otherNotShown: (l) => `Not shown: ${l} in rows that too few Members reported to be shown alone.`,
    expected: 'Expected',
    expectedAtMost: 'Expected at most',
    weekOf: (w) => `Week of ${w}`,
  },
  head: {
    category: 'Category',
    product: 'Product',
    member: 'Member',
    region: 'Region of the reporting Members',
    route: 'Route',
    origin: 'Origin',
    transport: 'Transport mode',
    concealment: 'Concealment',
    detection: 'Detection',
    infringement: 'Infringement',
    lines: 'Seizure lines',
    cases: 'Cases',
    units: 'Units',
    kg: 'kg',
    litres: 'Litres',
    members: 'Members',
    breakdown: 'By',
    week: 'Week (Monday)',
    trend: 'Trend',
    what: 'What',
    label: 'Which',
    ratio: 'Ratio',
    interval: 'Likely range (95%)',
    kind: 'Kind',
    firstSeen: 'First seen (week of)',
    rank: 'Rank',
    profile: 'Profile (origin / transport / concealment / product)',
    previous: 'Previous phase',
    growth: 'Growth',
    unit: 'Unit',
    seizures: 'Seizures',
    signal: 'Signal',
    value: 'Value',
    item: '',
    sinceStart: 'Since the start',
  },
  sections: {
    categories: 'Categories and products',
    byCategory: 'By category',
    byProduct: 'By product',
    reporting: 'Reporting Members',
    routes: 'Routes',
    routesHead: 'Routes (origin or departure → transit → destination)',
    origins: 'Origin countries',
    how: 'How goods travel, hide and are found',
    transport: 'Transport mode',
    concealment: 'Concealment method',
    detection: 'Detection method',
    infringement: 'Infringement type',
    trends: 'Trends',
    alarms: 'Weekly alarms',
    newItems: 'New',
    risk: 'Risk indicators',
    outliers: 'Unusually large seizures',
  },
  none: 'None.',
  moreInWorkbook: (n) => `${num(n, 'en')} more in the workbook.`,
  trendsNote: (p, base) => `Phase ${p} against ${base}: what rose or fell clearly more than chance would explain.`,
  noEarlier: 'No earlier phase to compare with.',
  alarmsNote: (w) => `Weeks with many more seizures of a product or route than in the ${num(w, 'en')} weeks before.`,
  annex: (n) => `Annex: ${num(n, 'en')} weaker first ${n === 1 ? 'sighting' : 'sightings'} (no alert)`,
  annexNote: 'Seen for the first time, but too few seizures or Members, or too likely by chance, to be a signal.',
  riskNote: (m) =>
    `Combinations of origin, transport mode, concealment and product seen by at least ${count(m, 'member', 'en')}, those growing most since the previous phase first.`,
  outliersNote: 'Seizures far larger than usual for their product, counted per product.',
  footer: (run, asOf) =>
    `${run}, data as of ${asOf}. Every figure is computed from the stored seizure lines; units are pieces + doses + packs; kg and litres are kept apart.`,
  other: (m) => `Others (each from fewer than ${count(m, 'member', 'en')})`,
  rising: 'Rising',
  falling: 'Falling',
  run: (r) => (r === 'final' ? 'Final run' : `Interim run of ${r.replace('interim-', '')}`),
  operation: 'Operation',
  version: 'Version',
  phaseDates: 'Phase dates',
  counted: 'Seizures counted',
  overview: 'Overview',
  sheets: {
    overview: 'Overview',
    signals: 'Signals',
    breakdowns: 'Breakdowns',
    weeks: 'Weeks',
    trends: 'Trends',
    risk: 'Risk indicators',
    outliers: 'Outliers',
  },
  annexKind: 'Weaker first sighting (no alert)',
  dimensions: { product_concealment: 'product and concealment', category: 'category', member: 'Member', profile: 'profile' },
  novelty: {
    route: 'New route',
    origin: 'New origin',
    transit: 'New transit country',
    concealment_for_product: 'New concealment of a product',
    product_multi_member: 'Newly seized by several Members',
    product_at_member: 'New at a Member',
  },
  pieces: 'pieces',
  doses: 'doses',
  packs: 'packs',
  participating: 'Participating Members',
  reportingMembers: 'Reporting Members',
};

const fr: Words = {
  title: (op, phase, mode, asOf) =>
    `${op} — ${mode === 'final' ? `synthèse de la phase ${phase}` : `point d’étape de la phase ${phase} au ${asOf}`}`,
  dates: (phase, range, counted) => `Phase ${phase}${NBSP}: ${range}${NBSP}; saisies comptées du ${counted.replace(' – ', ' au ')}.`,
  ncpBadge: 'Pour chaque point de contact national : chiffres agrégés uniquement.'.replace(' :', `${NBSP}:`),
  analystsBadge: `Version des analystes${NBSP}: contient les références des affaires des Membres. Ne pas transférer.`,
  signals: (n) => `Signaux (${num(n, 'fr')})`,
  noSignal: 'Aucun signal dans cette synthèse.',
  more: (n) => `${num(n, 'fr')} de plus, par type${NBSP}:`,
  kinds: {
    rising: 'En hausse',
    alarm: 'Alertes hebdomadaires',
    new: 'Nouveautés',
    falling: 'En baisse',
    outlier: 'Saisies d’une taille inhabituelle',
  },
  phase: (n) => `Phase ${n}`,
  sinceStart: 'Depuis le début de l’opération',
  cards: {
    lines: 'lignes de saisie',
    cases: 'affaires',
    units: 'unités (pièces, doses, boîtes)',
    kg: 'kg',
    litres: 'litres',
    members: 'Membres déclarants / participants',
    value: (n) => `valeur estimée (${count(n, 'line', 'fr')})`,
  },
  charts: 'Graphiques',
  chart: {
    unitsByCategory: (p) => `Unités par catégorie, phase ${p}`,
    perWeek: 'Lignes de saisie par semaine, depuis le début de l’opération',
    topRoutes: (p) => `Principaux itinéraires par lignes de saisie, phase ${p}`,
    topOrigins: (p) => `Principaux pays d’origine par lignes de saisie, phase ${p}`,
    rising: 'Produits en hausse : lignes de saisie dans les phases précédentes et dans cette phase'.replace(' :', `${NBSP}:`),
    alarms: 'Alertes hebdomadaires sur des produits : la semaine et ce qui était attendu'.replace(' :', `${NBSP}:`),
    noRising: `Produits en hausse${NBSP}: aucun dans cette synthèse.`,
    otherNotShown: (l, n) =>
      `Non ${n > 1 ? 'représentées' : 'représentée'}${NBSP}: ${l}, ${n > 1 ? 'déclarées' : 'déclarée'} par trop peu de Membres pour être ${n > 1 ? 'montrées' : 'montrée'} à part.`,
    expected: 'Attendu',
    expectedAtMost: 'Attendu au plus',
    weekOf: (w) => `Semaine du ${w}`,
  },
  head: {
    category: 'Catégorie',
    product: 'Produit',
    member: 'Membre',
    region: 'Région des Membres déclarants',
    route: 'Itinéraire',
    origin: 'Origine',
    transport: 'Mode de transport',
    concealment: 'Dissimulation',
    detection: 'Détection',
    infringement: 'Infraction',
    lines: 'Lignes de saisie',
    cases: 'Affaires',
    units: 'Unités',
    kg: 'kg',
    litres: 'Litres',
    members: 'Membres',
    breakdown: 'Par',
    week: 'Semaine (lundi)',
    trend: 'Tendance',
    what: 'Quoi',
    label: 'Lequel',
    ratio: 'Rapport',
    interval: 'Fourchette probable (95 %)'.replace(' %', `${NBSP}%`),
    kind: 'Type',
    firstSeen: 'Vu pour la première fois (semaine du)',
    rank: 'Rang',
    profile: 'Profil (origine / transport / dissimulation / produit)',
    previous: 'Phase précédente',
    growth: 'Croissance',
    unit: 'Unité',
    seizures: 'Saisies',
    signal: 'Signal',
    value: 'Valeur',
    item: '',
    sinceStart: 'Depuis le début',
  },
  sections: {
    categories: 'Catégories et produits',
    byCategory: 'Par catégorie',
    byProduct: 'Par produit',
    reporting: 'Membres déclarants',
    routes: 'Itinéraires',
    routesHead: 'Itinéraires (origine ou départ → transit → destination)',
    origins: 'Pays d’origine',
    how: 'Comment les marchandises voyagent, sont cachées et sont découvertes',
    transport: 'Mode de transport',
    concealment: 'Méthode de dissimulation',
    detection: 'Méthode de détection',
    infringement: 'Type d’infraction',
    trends: 'Tendances',
    alarms: 'Alertes hebdomadaires',
    newItems: 'Nouveautés',
    risk: 'Indicateurs de risque',
    outliers: 'Saisies d’une taille inhabituelle',
  },
  none: 'Aucun.',
  moreInWorkbook: (n) => `${num(n, 'fr')} de plus dans le classeur.`,
  trendsNote: (p, base) =>
    `Phase ${p} comparée ${base.startsWith('phases') ? 'aux' : 'à la'} ${base}${NBSP}: ce qui a augmenté ou baissé nettement plus que le hasard ne l’expliquerait.`,
  noEarlier: 'Aucune phase précédente à laquelle comparer.',
  alarmsNote: (w) =>
    `Semaines avec bien plus de saisies d’un produit ou sur un itinéraire que pendant les ${num(w, 'fr')} semaines précédentes.`,
  annex: (n) =>
    `Annexe${NBSP}: ${num(n, 'fr')} ${n <= 1 ? 'première observation plus faible' : 'premières observations plus faibles'} (sans alerte)`,
  annexNote:
    'Vues pour la première fois, mais avec trop peu de saisies ou de Membres, ou trop probablement dues au hasard, pour être un signal.',
  riskNote: (m) =>
    `Combinaisons d’origine, de mode de transport, de dissimulation et de produit vues par au moins ${count(m, 'member', 'fr')}, les plus en croissance depuis la phase précédente en premier.`,
  outliersNote: 'Saisies bien plus grandes que d’habitude pour leur produit, comptées par produit.',
  footer: (run, asOf) =>
    `${run}, données au ${asOf}. Chaque chiffre est calculé à partir des lignes de saisie enregistrées${NBSP}; les unités sont les pièces + doses + boîtes${NBSP}; les kg et les litres sont comptés à part.`,
  other: (m) => `Autres (chacun déclaré par moins de ${count(m, 'member', 'fr')})`,
  rising: 'En hausse',
  falling: 'En baisse',
  run: (r) => (r === 'final' ? 'Synthèse finale' : `Point d’étape du ${r.replace('interim-', '')}`),
  operation: 'Opération',
  version: 'Version',
  phaseDates: 'Dates de la phase',
  counted: 'Saisies comptées',
  overview: 'Vue d’ensemble',
  sheets: {
    overview: 'Vue d’ensemble',
    signals: 'Signaux',
    breakdowns: 'Répartitions',
    weeks: 'Semaines',
    trends: 'Tendances',
    risk: 'Indicateurs de risque',
    outliers: 'Valeurs extrêmes',
  },
  annexKind: 'Première observation plus faible (sans alerte)',
  dimensions: { product_concealment: 'produit et dissimulation', category: 'catégorie', member: 'Membre', profile: 'profil' },
  novelty: {
    route: 'Nouvel itinéraire',
    origin: 'Nouvelle origine',
    transit: 'Nouveau pays de transit',
    concealment_for_product: 'Nouvelle dissimulation d’un produit',
    product_multi_member: 'Nouvellement saisi par plusieurs Membres',
    product_at_member: 'Nouveau chez un Membre',
  },
  pieces: 'pièces',
  doses: 'doses',
  packs: 'boîtes',
  participating: 'Membres participants',
  reportingMembers: 'Membres déclarants',
};

const es: Words = {
  title: (op, phase, mode, asOf) => `${op} — ${mode === 'final' ? `resumen de la fase ${phase}` : `avance de la fase ${phase} al ${asOf}`}`,
  dates: (phase, range, counted) => `Fase ${phase}: ${range}; incautaciones contadas del ${counted.replace(' – ', ' al ')}.`,
  ncpBadge: 'Para cada punto de contacto nacional: solo cifras agregadas.',
  analystsBadge: 'Versión de los analistas: contiene referencias de casos de los Miembros. No reenviar.',
  signals: (n) => `Señales (${num(n, 'es')})`,
  noSignal: 'Ninguna señal en este resumen.',
  more: (n) => `${num(n, 'es')} más, por tipo:`,
  kinds: {
    rising: 'En aumento',
    alarm: 'Alertas semanales',
    new: 'Novedades',
    falling: 'En descenso',
    outlier: 'Incautaciones de tamaño inusual',
  },
  phase: (n) => `Fase ${n}`,
  sinceStart: 'Desde el inicio de la operación',
  cards: {
    lines: 'líneas de incautación',
    cases: 'casos',
    units: 'unidades (piezas, dosis, envases)',
    kg: 'kg',
    litres: 'litros',
    members: 'Miembros declarantes / participantes',
    value: (n) => `valor estimado (${count(n, 'line', 'es')})`,
  },
  charts: 'Gráficos',
  chart: {
    unitsByCategory: (p) => `Unidades por categoría, fase ${p}`,
    perWeek: 'Líneas de incautación por semana, desde el inicio de la operación',
    topRoutes: (p) => `Principales rutas por líneas de incautación, fase ${p}`,
    topOrigins: (p) => `Principales países de origen por líneas de incautación, fase ${p}`,
    rising: 'Productos en aumento: líneas de incautación en las fases anteriores y en esta fase',
    alarms: 'Alertas semanales sobre productos: la semana frente a lo esperado',
    noRising: 'Productos en aumento: ninguno en este resumen.',
    otherNotShown: (l, n) =>
      `No ${n === 1 ? 'representada' : 'representadas'}: ${l}, ${n === 1 ? 'declarada' : 'declaradas'} por demasiado pocos Miembros para mostrar${n === 1 ? 'la' : 'las'} por separado.`,
    expected: 'Esperado',
    expectedAtMost: 'Esperado como máximo',
    weekOf: (w) => `Semana del ${w}`,
  },
  head: {
    category: 'Categoría',
    product: 'Producto',
    member: 'Miembro',
    region: 'Región de los Miembros declarantes',
    route: 'Ruta',
    origin: 'Origen',
    transport: 'Modo de transporte',
    concealment: 'Ocultación',
    detection: 'Detección',
    infringement: 'Infracción',
    lines: 'Líneas de incautación',
    cases: 'Casos',
    units: 'Unidades',
    kg: 'kg',
    litres: 'Litros',
    members: 'Miembros',
    breakdown: 'Por',
    week: 'Semana (lunes)',
    trend: 'Tendencia',
    what: 'Qué',
    label: 'Cuál',
    ratio: 'Razón',
    interval: 'Rango probable (95 %)',
    kind: 'Tipo',
    firstSeen: 'Visto por primera vez (semana del)',
    rank: 'Puesto',
    profile: 'Perfil (origen / transporte / ocultación / producto)',
    previous: 'Fase anterior',
    growth: 'Crecimiento',
    unit: 'Unidad',
    seizures: 'Incautaciones',
    signal: 'Señal',
    value: 'Valor',
    item: '',
    sinceStart: 'Desde el inicio',
  },
  sections: {
    categories: 'Categorías y productos',
    byCategory: 'Por categoría',
    byProduct: 'Por producto',
    reporting: 'Miembros declarantes',
    routes: 'Rutas',
    routesHead: 'Rutas (origen o salida → tránsito → destino)',
    origins: 'Países de origen',
    how: 'Cómo viajan, se ocultan y se descubren las mercancías',
    transport: 'Modo de transporte',
    concealment: 'Método de ocultación',
    detection: 'Método de detección',
    infringement: 'Tipo de infracción',
    trends: 'Tendencias',
    alarms: 'Alertas semanales',
    newItems: 'Novedades',
    risk: 'Indicadores de riesgo',
    outliers: 'Incautaciones de tamaño inusual',
  },
  none: 'Ninguno.',
  moreInWorkbook: (n) => `${num(n, 'es')} más en el libro de cálculo.`,
  trendsNote: (p, base) => `Fase ${p} frente a ${base}: lo que aumentó o disminuyó claramente más de lo que explicaría el azar.`,
  noEarlier: 'Ninguna fase anterior con la que comparar.',
  alarmsNote: (w) => `Semanas con muchas más incautaciones de un producto o en una ruta que en las ${num(w, 'es')} semanas anteriores.`,
  annex: (n) => `Anexo: ${num(n, 'es')} ${n === 1 ? 'primera observación más débil' : 'primeras observaciones más débiles'} (sin alerta)`,
  annexNote:
    'Vistas por primera vez, pero con muy pocas incautaciones o Miembros, o con demasiada probabilidad de deberse al azar, para ser una señal.',
  riskNote: (m) =>
    `Combinaciones de origen, modo de transporte, ocultación y producto vistas por al menos ${count(m, 'member', 'es')}, primero las que más crecen desde la fase anterior.`,
  outliersNote: 'Incautaciones mucho mayores de lo habitual para su producto, contadas por producto.',
  footer: (run, asOf) =>
    `${run}, datos al ${asOf}. Cada cifra se calcula a partir de las líneas de incautación registradas; las unidades son piezas + dosis + envases; los kg y los litros se cuentan aparte.`,
  other: (m) => `Otros (cada uno de menos de ${count(m, 'member', 'es')})`,
  rising: 'En aumento',
  falling: 'En descenso',
  run: (r) => (r === 'final' ? 'Resumen final' : `Avance del ${r.replace('interim-', '')}`),
  operation: 'Operación',
  version: 'Versión',
  phaseDates: 'Fechas de la fase',
  counted: 'Incautaciones contadas',
  overview: 'Resumen',
  sheets: {
    overview: 'Resumen',
    signals: 'Señales',
    breakdowns: 'Desgloses',
    weeks: 'Semanas',
    trends: 'Tendencias',
    risk: 'Indicadores de riesgo',
    outliers: 'Valores atípicos',
  },
  annexKind: 'Primera observación más débil (sin alerta)',
  dimensions: { product_concealment: 'producto y ocultación', category: 'categoría', member: 'Miembro', profile: 'perfil' },
  novelty: {
    route: 'Nueva ruta',
    origin: 'Nuevo origen',
    transit: 'Nuevo país de tránsito',
    concealment_for_product: 'Nueva ocultación de un producto',
    product_multi_member: 'Incautado por primera vez por varios Miembros',
    product_at_member: 'Nuevo en un Miembro',
  },
  pieces: 'piezas',
  doses: 'dosis',
  packs: 'envases',
  participating: 'Miembros participantes',
  reportingMembers: 'Miembros declarantes',
};

/** The reports' words by language. */
export const W: Readonly<Record<Lang, Words>> = { en, fr, es };
