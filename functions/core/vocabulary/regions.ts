/**
 * The six regions of the World Customs Organization (WCO), with their names in English, French and Spanish, and the
 * region of every ISO 3166-1 country. Reports group countries by region where a country alone would rest on too few
 * Members (phase/disclosure.ts): "Türkiye → Bulgaria → Europe". The regions follow the WCO's regional structure (its
 * Vice-Chair regions: wcoomd.org, "WCO Regions"); a territory that is not a WCO Member itself is placed by geography.
 */
import type { Lang } from './lang.ts';

export type WcoRegion = 'AC' | 'AP' | 'ESA' | 'EUR' | 'MENA' | 'WCA';

export const WCO_REGIONS: readonly WcoRegion[] = ['AC', 'AP', 'ESA', 'EUR', 'MENA', 'WCA'];

export const REGION_NAMES: Readonly<Record<WcoRegion, Readonly<Record<Lang, string>>>> = {
  AC: { en: 'Americas and the Caribbean', fr: 'Amériques et Caraïbes', es: 'Américas y el Caribe' },
  AP: { en: 'Asia/Pacific', fr: 'Asie/Pacifique', es: 'Asia/Pacífico' },
  ESA: { en: 'East and Southern Africa', fr: 'Afrique orientale et australe', es: 'África Oriental y Austral' },
  EUR: { en: 'Europe', fr: 'Europe', es: 'Europa' },
  MENA: {
    en: 'North of Africa, Near and Middle East',
    fr: 'Afrique du Nord, Proche et Moyen-Orient',
    es: 'Norte de África, Cercano y Medio Oriente',
  },
  WCA: { en: 'West and Central Africa', fr: 'Afrique occidentale et centrale', es: 'África Occidental y Central' },
};

/** ISO 3166-1 alpha-2 codes by WCO region (all 249: territories by geography; Antarctic territories with none). */
const MEMBERS_OF: Readonly<Record<WcoRegion, string>> = {
  AC: `AG AI AR AW BB BL BM BO BQ BR BS BZ CA CL CO CR CU CW DM DO EC FK GD GF GL GP GT GY HN HT JM KN KY LC MF MQ MS
       MX NI PA PE PM PR PY SR SV SX TC TT US UY VC VE VG VI`,
  AP: `AF AS AU BD BN BT CC CK CN CX FJ FM GU HK ID IN IO IR JP KH KI KP KR LA LK MH MM MN MO MP MV MY NC NF NP NR NU
       NZ PF PG PH PK PN PW SB SG TH TK TL TO TV TW UM VN VU WF WS`,
  ESA: `AO BI BW DJ ER ET KE KM LS MG MU MW MZ NA RE RW SC SH SO SS SZ TZ UG YT ZA ZM ZW`,
  EUR: `AD AL AM AT AX AZ BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GE GG GI GR HR HU IE IL IM IS IT JE KG KZ LI LT
        LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM TJ TM TR UA UZ VA`,
  MENA: `AE BH DZ EG EH IQ JO KW LB LY MA OM PS QA SA SD SY TN YE`,
  WCA: `BF BJ CD CF CG CI CM CV GA GH GM GN GQ GW LR ML MR NE NG SL SN ST TD TG`,
};

const REGION_OF: ReadonlyMap<string, WcoRegion> = new Map(
  WCO_REGIONS.flatMap((r) =>
    MEMBERS_OF[r]
      .trim()
      .split(/\s+/)
      .map((c) => [c, r] as const),
  ),
);

/** The WCO region of an alpha-2 country code (any case); undefined for an unknown code and for Antarctica. */
export const regionOf = (code: string): WcoRegion | undefined => REGION_OF.get(code.trim().toUpperCase());

/** The region's name in a language. */
export const regionName = (region: WcoRegion, lang: Lang): string => REGION_NAMES[region][lang];

/** Every code placed, for tests: alpha-2 -> region. */
export const regionTable = (): ReadonlyMap<string, WcoRegion> => REGION_OF;
