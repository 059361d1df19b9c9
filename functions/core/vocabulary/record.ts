/** The canonical seizure record: one valid row of a Member's spreadsheet, as stored and as written by `--records`. */
export interface SeizureRecord {
  reporting_member: string; // ISO alpha-2
  case_ref: string;
  line_no: number;
  seizure_date: string; // YYYY-MM-DD
  phase: number;
  location?: string;
  location_type?: string;
  direction?: string;
  category: 'medicine' | 'medical_device' | 'vaccine';
  product: string;
  description?: string;
  brand?: string;
  hs_code?: string; // digits only
  quantity: number;
  unit: 'pieces' | 'doses' | 'packs' | 'kg' | 'litres';
  estimated_value?: number;
  currency?: string;
  origin_country?: string;
  departure_country?: string;
  destination_country?: string;
  transit_countries?: string[];
  transport_mode: string;
  concealment_method?: string;
  detection_method?: string;
  infringement_type: string;
  remarks?: string;
  source: { file: string; sheet: string; row: number };
}

/** Identity of a seizure line. */
export const recordKey = (r: Pick<SeizureRecord, 'reporting_member' | 'case_ref' | 'line_no'>): string =>
  `${r.reporting_member}#${r.case_ref}#${r.line_no}`;
