// The value shapes sent in PATCH …/fields `updates[].value` (FieldValueUpdate in the v2 spec).

export interface LocationData {
  streetAddress: string | null;
  city: string | null;
  state: string | null;
  country: string | null;
  continent: string | null;
}

export type FieldValueUpdate =
  | { type: 'text' | 'filterable-text'; data: string | null }
  | { type: 'filterable-text-multi'; data: string[] | null }
  | { type: 'number'; data: number | null }
  | { type: 'number-multi'; data: number[] | null }
  | { type: 'datetime'; data: string | null }
  | { type: 'dropdown' | 'ranked-dropdown'; data: { dropdownOptionId: number } | null }
  | { type: 'dropdown-multi'; data: { dropdownOptionId: number }[] | null }
  | { type: 'location'; data: LocationData | null }
  | { type: 'location-multi'; data: LocationData[] | null }
  | { type: 'person' | 'company'; data: { id: number } | null }
  | { type: 'person-multi' | 'company-multi'; data: { id: number }[] | null };

/** One entry of `updates` in `{operation: "update-fields", updates}`. */
export interface FieldUpdate {
  id: string;
  value: FieldValueUpdate;
}
