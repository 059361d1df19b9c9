/**
 * Country (ISO 3166-1) and currency (ISO 4217) codes as Members write them: alpha-2 or alpha-3 in any case, or a
 * country name in English, French or Spanish. `XX` stands for an unknown country where the field allows it.
 */
import type { Lang } from './lang.ts';
import { fold } from './vocab.ts';

/** ISO 3166-1: the 249 officially assigned codes, alpha-2 then alpha-3. No user-assigned codes (XK, EU, XX). */
const ISO3166 = `
AD AND AE ARE AF AFG AG ATG AI AIA AL ALB AM ARM AO AGO AQ ATA AR ARG AS ASM AT AUT AU AUS AW ABW AX ALA AZ AZE
BA BIH BB BRB BD BGD BE BEL BF BFA BG BGR BH BHR BI BDI BJ BEN BL BLM BM BMU BN BRN BO BOL BQ BES BR BRA BS BHS
BT BTN BV BVT BW BWA BY BLR BZ BLZ
CA CAN CC CCK CD COD CF CAF CG COG CH CHE CI CIV CK COK CL CHL CM CMR CN CHN CO COL CR CRI CU CUB CV CPV CW CUW
CX CXR CY CYP CZ CZE
DE DEU DJ DJI DK DNK DM DMA DO DOM DZ DZA
EC ECU EE EST EG EGY EH ESH ER ERI ES ESP ET ETH
FI FIN FJ FJI FK FLK FM FSM FO FRO FR FRA
GA GAB GB GBR GD GRD GE GEO GF GUF GG GGY GH GHA GI GIB GL GRL GM GMB GN GIN GP GLP GQ GNQ GR GRC GS SGS GT GTM
GU GUM GW GNB GY GUY
HK HKG HM HMD HN HND HR HRV HT HTI HU HUN
ID IDN IE IRL IL ISR IM IMN IN IND IO IOT IQ IRQ IR IRN IS ISL IT ITA
JE JEY JM JAM JO JOR JP JPN
KE KEN KG KGZ KH KHM KI KIR KM COM KN KNA KP PRK KR KOR KW KWT KY CYM KZ KAZ
LA LAO LB LBN LC LCA LI LIE LK LKA LR LBR LS LSO LT LTU LU LUX LV LVA LY LBY
MA MAR MC MCO MD MDA ME MNE MF MAF MG MDG MH MHL MK MKD ML MLI MM MMR MN MNG MO MAC MP MNP MQ MTQ MR MRT MS MSR
MT MLT MU MUS MV MDV MW MWI MX MEX MY MYS MZ MOZ
NA NAM NC NCL NE NER NF NFK NG NGA NI NIC NL NLD NO NOR NP NPL NR NRU NU NIU NZ NZL
OM OMN
PA PAN PE PER PF PYF PG PNG PH PHL PK PAK PL POL PM SPM PN PCN PR PRI PS PSE PT PRT PW PLW PY PRY
QA QAT
RE REU RO ROU RS SRB RU RUS RW RWA
SA SAU SB SLB SC SYC SD SDN SE SWE SG SGP SH SHN SI SVN SJ SJM SK SVK SL SLE SM SMR SN SEN SO SOM SR SUR SS SSD
ST STP SV SLV SX SXM SY SYR SZ SWZ
TC TCA TD TCD TF ATF TG TGO TH THA TJ TJK TK TKL TL TLS TM TKM TN TUN TO TON TR TUR TT TTO TV TUV TW TWN TZ TZA
UA UKR UG UGA UM UMI US USA UY URY UZ UZB
VA VAT VC VCT VE VEN VG VGB VI VIR VN VNM VU VUT
WF WLF WS WSM
YE YEM YT MYT
ZA ZAF ZM ZMB ZW ZWE
`
  .trim()
  .split(/\s+/);

/** alpha-3 -> alpha-2. */
export const ALPHA3: ReadonlyMap<string, string> = new Map(
  Array.from({ length: ISO3166.length / 2 }, (_, i) => [ISO3166[2 * i + 1]!, ISO3166[2 * i]!] as const),
);

/** The 249 ISO 3166-1 alpha-2 codes. */
export const ALPHA2: ReadonlySet<string> = new Set(ALPHA3.values());

export const UNKNOWN_COUNTRY = 'XX';

const UNKNOWN_NAME: Readonly<Record<Lang, string>> = { en: 'Unknown', fr: 'Inconnu', es: 'Desconocido' };

/** Codes Members use that ISO reserves for the same country. */
const ALIASES: ReadonlyMap<string, string> = new Map([['UK', 'GB']]);

const displayNames = new Map<Lang, Intl.DisplayNames>();

/** The country's name in a language, from ICU; `XX` is Unknown / Inconnu / Desconocido; other text comes back as is. */
export function countryName(code: string, lang: Lang): string {
  const c = code.trim().toUpperCase();
  if (c === UNKNOWN_COUNTRY) return UNKNOWN_NAME[lang];
  if (!/^[A-Z]{2}$/.test(c)) return code;
  let names = displayNames.get(lang);
  if (!names) displayNames.set(lang, (names = new Intl.DisplayNames([lang], { type: 'region', fallback: 'code' })));
  return names.of(c) ?? c;
}

let byName: Map<string, string> | undefined;

/** Folded en/fr/es names -> alpha-2, built on first use; a name two countries share is left out. */
function countryByName(folded: string): string | undefined {
  if (!byName) {
    const owners = new Map<string, Set<string>>();
    for (const code of ALPHA2) {
      for (const lang of ['en', 'fr', 'es'] as const) {
        const key = fold(countryName(code, lang));
        owners.set(key, (owners.get(key) ?? new Set()).add(code));
      }
    }
    byName = new Map([...owners].filter(([, codes]) => codes.size === 1).map(([key, codes]) => [key, [...codes][0]!]));
  }
  return byName.get(folded);
}

/**
 * The alpha-2 code of a cell: alpha-2 or alpha-3 in any case, surrounding spaces ignored, or a country name in
 * English, French or Spanish as ICU spells it (folded). `XX` (also XXX, Unknown, Inconnu, Desconocido) only with
 * `allowUnknown`. Undefined when nothing fits.
 */
export function normaliseCountry(text: string, opts: { allowUnknown?: boolean } = {}): string | undefined {
  const t = text.normalize('NFKC').trim().toUpperCase();
  const unknown = opts.allowUnknown ? UNKNOWN_COUNTRY : undefined;
  if (/^[A-Z]{2}$/.test(t)) return ALPHA2.has(t) ? t : t === UNKNOWN_COUNTRY ? unknown : ALIASES.get(t);
  if (/^[A-Z]{3}$/.test(t)) return t === 'XXX' ? unknown : ALPHA3.get(t);
  const f = fold(t);
  if (Object.values(UNKNOWN_NAME).some((n) => fold(n) === f)) return unknown;
  return f.length > 3 ? countryByName(f) : undefined;
}

/**
 * A list of countries (transit countries): items split on `;`, `,`, `/`; an item that is not one country as a whole
 * ("United Kingdom") is split on whitespace ("FR DE"). Each is normalised with `XX` allowed; duplicates are dropped.
 * `bad` holds the tokens that are no country (the whole item when none of its words is one).
 */
export function parseCountryList(text: string): { codes: string[]; bad: string[] } {
  const codes = new Set<string>();
  const bad: string[] = [];
  for (const item of text
    .split(/[;,/]/)
    .map((s) => s.trim())
    .filter(Boolean)) {
    const whole = normaliseCountry(item, { allowUnknown: true });
    if (whole) {
      codes.add(whole);
      continue;
    }
    const words = item.split(/\s+/).map((w) => [w, normaliseCountry(w, { allowUnknown: true })] as const);
    if (words.every(([, c]) => c === undefined)) bad.push(item);
    else for (const [w, c] of words) c ? codes.add(c) : bad.push(w);
  }
  return { codes: [...codes], bad };
}

const CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

/** Whether a code is an ISO 4217 currency ICU knows, any case. */
export function isCurrency(code: string): boolean {
  return /^[A-Za-z]{3}$/.test(code) && CURRENCIES.has(code.toUpperCase());
}

/** The upper-case ISO 4217 code of a cell (`'eur '` -> `'EUR'`), or undefined. */
export function normaliseCurrency(text: string): string | undefined {
  const t = text.trim().toUpperCase();
  return isCurrency(t) ? t : undefined;
}
