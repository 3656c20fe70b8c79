import type { PathProblem } from './config-error.js';
import { createSettingsOf } from './create-settings.js';
import type { Mapping } from './mapping-schema.js';
import { pathText } from './parse-mapping.js';
import type { ResolvedField } from './resolve-fields.js';

/**
 * What the creation settings need of the list and its fields, known only once Affinity answers
 * (pure; the engine and `validate --remote` share it): adding needs a company or person list,
 * creating companies a company list, and `options: create` a standard dropdown field.
 */
export function checkCreateTarget(
  mapping: Mapping,
  list: { id: number; name: string; type: string },
  fields: readonly ResolvedField[],
): PathProblem[] {
  const settings = createSettingsOf(mapping);
  const problems: PathProblem[] = [];
  const named = `list ${list.id} ("${list.name}")`;
  if (settings.onUnmatched === 'add' && list.type !== 'company' && list.type !== 'person') {
    const why =
      list.type === 'opportunity'
        ? 'is an opportunity list: an entry there is a new opportunity, not an existing entity added'
        : `is a ${list.type} list`;
    problems.push({
      path: 'onUnmatched',
      message: `${named} ${why}, so add works on company and person lists only`,
    });
  }
  if (settings.onUnknownCompany === 'create' && list.type !== 'company') {
    problems.push({
      path: 'onUnknownCompany',
      message: `${named} is ${list.type === 'opportunity' ? 'an' : 'a'} ${list.type} list; create makes companies, so it needs a company list`,
    });
  }
  for (const column of settings.optionColumns) {
    const field = fields.find((f) => f.column === column);
    if (field === undefined) continue;
    const label = `${field.fieldId} ("${field.fieldName}")`;
    const path = pathText(['fields', column, 'options']);
    if (field.valueType === 'ranked-dropdown') {
      problems.push({
        path,
        message: `${label} is a ranked dropdown: its options are an ordered scale (each needs a rank and a color) that a warehouse text cannot place; add the option in Affinity and leave options: reject`,
      });
    } else if (field.valueType !== 'dropdown' && field.valueType !== 'dropdown-multi') {
      problems.push({
        path,
        message: `${label} is a ${field.valueType} field; options: create applies to dropdown and dropdown-multi fields`,
      });
    }
  }
  return problems;
}
