/** The background's vocabulary mix: shares, sizes, prices and codes the demo draws its ordinary lines from. */
import type { Lang } from '../../functions/core/operation/config.ts';
import type { Category } from '../../functions/core/vocabulary/vocab.ts';

// ---------------------------------------------------------------------------------------------------------------
// The background's vocabulary mix

export const MEDICINES = {
  ivermectin: 10,
  doxycycline: 6,
  pregabalin: 8,
  hydroxychloroquine: 8,
  chloroquine: 5,
  azithromycin: 7,
  favipiravir: 4,
  remdesivir: 3,
  dexamethasone: 6,
  paracetamol: 10,
  tramadol: 8,
  other_medicine: 8,
} as const;
/** No oxygen cylinder: the surge is the only source of them. */
export const DEVICES = {
  test_kit: 14,
  face_mask: 20,
  gloves: 10,
  used_gloves: 2,
  sanitizer: 6,
  oxygen_concentrator: 4,
  ventilator: 2,
  thermometer: 5,
  protective_clothing: 8,
  other_device: 5,
} as const;
export const VACCINES = { covid19_vaccine: 85, other_vaccine: 15 } as const;
export const CATEGORY_SHARE: Record<Category, number> = { medicine: 58, medical_device: 39, vaccine: 3 };

/** Median quantity of a line before the category's scaling (relative sizes; kg/litre lines are final). */
export const MEDIAN: Record<string, number> = {
  ivermectin: 12_000,
  doxycycline: 8_000,
  pregabalin: 20_000,
  hydroxychloroquine: 10_000,
  chloroquine: 8_000,
  azithromycin: 8_000,
  favipiravir: 3_000,
  remdesivir: 500,
  dexamethasone: 6_000,
  paracetamol: 40_000,
  tramadol: 30_000,
  other_medicine: 10_000,
  test_kit: 6_000,
  face_mask: 150_000,
  gloves: 80_000,
  oxygen_concentrator: 40,
  ventilator: 8,
  thermometer: 800,
  protective_clothing: 2_000,
  other_device: 1_500,
  covid19_vaccine: 5_000,
  other_vaccine: 2_000,
  oxygen_cylinder: 60,
  used_gloves: 2_000,
  sanitizer: 800,
};

/** Price of one unit (USD), for the estimated value. */
export const PRICE: Record<string, number> = {
  ivermectin: 0.4,
  doxycycline: 0.2,
  pregabalin: 0.5,
  hydroxychloroquine: 0.3,
  chloroquine: 0.2,
  azithromycin: 0.5,
  favipiravir: 2,
  remdesivir: 60,
  dexamethasone: 0.1,
  paracetamol: 0.05,
  tramadol: 0.3,
  other_medicine: 0.5,
  test_kit: 5,
  face_mask: 0.3,
  gloves: 0.1,
  used_gloves: 1,
  sanitizer: 4,
  oxygen_concentrator: 400,
  ventilator: 5_000,
  thermometer: 8,
  protective_clothing: 6,
  other_device: 3,
  covid19_vaccine: 20,
  other_vaccine: 10,
  oxygen_cylinder: 150,
};

export const HS: Record<string, string> = {
  test_kit: '3822.19',
  face_mask: '6307.90',
  gloves: '4015.19',
  used_gloves: '4015.19',
  sanitizer: '3808.94',
  oxygen_cylinder: '7311.00',
  oxygen_concentrator: '9019.20',
  ventilator: '9019.20',
  thermometer: '9025.19',
  protective_clothing: '6210.10',
  other_device: '9018.90',
  covid19_vaccine: '3002.41',
  other_vaccine: '3002.41',
};

export const DESCRIPTIONS: Record<string, Record<Lang, readonly string[]>> = {
  other_medicine: {
    en: ['Sildenafil tablets', 'Vitamin D capsules', 'Herbal "COVID cure" capsules', 'Slimming pills'],
    fr: ['Comprimés de sildénafil', 'Gélules de vitamine D', 'Gélules « anti-COVID » à base de plantes', 'Pilules amaigrissantes'],
    es: ['Comprimidos de sildenafilo', 'Cápsulas de vitamina D', 'Cápsulas «anti-COVID» de hierbas', 'Pastillas adelgazantes'],
  },
  other_device: {
    en: ['Pulse oximeters', 'Face shields', 'Disposable syringes'],
    fr: ['Oxymètres de pouls', 'Visières de protection', 'Seringues jetables'],
    es: ['Pulsioxímetros', 'Pantallas faciales', 'Jeringas desechables'],
  },
  other_vaccine: {
    en: ['Influenza vaccine', 'Hepatitis B vaccine'],
    fr: ['Vaccin antigrippal', 'Vaccin contre l’hépatite B'],
    es: ['Vacuna antigripal', 'Vacuna contra la hepatitis B'],
  },
};

export const TRANSPORT = { express_courier: 24, postal: 20, air_cargo: 20, sea: 14, road: 10, air_passenger: 8, rail: 4 } as const;
export const LOCATION_OF: Record<string, string> = {
  express_courier: 'express_hub',
  postal: 'postal_centre',
  air_cargo: 'airport',
  sea: 'seaport',
  road: 'land_border',
  air_passenger: 'airport',
  rail: 'land_border',
};
export const CONCEALMENT = {
  none: 40,
  misdescribed: 22,
  undervalued: 10,
  mixed_with_legitimate: 12,
  repackaged: 8,
  false_documents: 8,
} as const;
export const PASSENGER_CONCEALMENT = { baggage: 70, on_body: 10, none: 20 } as const;
export const DETECTION = {
  risk_profiling: 35,
  routine_control: 15,
  x_ray: 15,
  document_check: 12,
  intelligence: 10,
  random_check: 8,
  detector_dog: 5,
} as const;
export const INFRINGEMENT: Record<Category, Readonly<Record<string, number>>> = {
  medicine: { falsified: 35, unauthorised: 30, counterfeit: 15, substandard: 10, expired: 5, smuggled: 5 },
  medical_device: { counterfeit: 40, substandard: 30, unauthorised: 25, smuggled: 5 },
  vaccine: { falsified: 50, unauthorised: 35, smuggled: 15 },
};

/** Where the background's goods come from and go to. TR is not here: it is the planted route's new origin. */
export const ORIGINS = { CN: 40, IN: 22, HK: 8, AE: 5, SG: 4, US: 4, MY: 3, PK: 3, BD: 3, VN: 3, TH: 2, ID: 2, NG: 1 } as const;
export const HUBS = ['AE', 'HK', 'SG', 'NL', 'BE', 'QA'] as const;
export const EXPORT_TO = { NG: 4, GH: 3, KE: 3, CM: 2, SN: 2, TZ: 2, UG: 2, BR: 2, MX: 2, PH: 2 } as const;
export const EURO = new Set([
  'AT',
  'BE',
  'CY',
  'DE',
  'EE',
  'ES',
  'FI',
  'FR',
  'GR',
  'HR',
  'IE',
  'IT',
  'LT',
  'LU',
  'LV',
  'MT',
  'NL',
  'PT',
  'SI',
  'SK',
  'ME',
]);
