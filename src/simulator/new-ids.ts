import type { SimulatorState } from './state.js';

interface NextIds {
  entry: number;
  company: number;
  option: number;
}

// Per state (a reset builds a new one), so ids restart with the data they extend.
const nextIds = new WeakMap<SimulatorState, NextIds>();

function scan(state: SimulatorState): NextIds {
  let entry = 0;
  let option = 0;
  for (const list of state.lists.values()) {
    for (const e of list.entries) entry = Math.max(entry, e.id);
    for (const f of list.fields) for (const o of f.dropdownOptions) option = Math.max(option, o.id);
  }
  let company = 0;
  for (const id of state.companies.keys()) company = Math.max(company, id);
  return { entry: entry + 1, company: company + 1, option: option + 1 };
}

/** The next unused id of a kind: above every id the state has, never reused within it. */
export function newId(state: SimulatorState, kind: keyof NextIds): number {
  let ids = nextIds.get(state);
  if (ids === undefined) {
    ids = scan(state);
    nextIds.set(state, ids);
  }
  const id = ids[kind];
  ids[kind] = id + 1;
  return id;
}
