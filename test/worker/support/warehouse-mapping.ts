/** A mapping of the worker suites' `warehouse (entry_id, arr)` table to list `listId`'s ARR field. */
export function warehouseArrMapping(name: string, url: string, listId: number): string {
  return `name: ${name}
source:
  type: postgres
  url: ${url}
  query: select entry_id, arr from warehouse order by entry_id
list: ${listId}
match:
  - { column: entry_id, by: listEntryId }
fields:
  arr: ARR
`;
}
