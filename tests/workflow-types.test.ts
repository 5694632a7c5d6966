/**
 * shared/workflow-types.ts names the workflows of workflows/index.ts for code that must not load them
 * (schedule validation, task-queue roles): the names must be exactly the exports, no more and no fewer.
 */
import * as workflows from '../workflows';
import { CATALOG } from '../schedules/catalog';
import { CatalogError, validateCatalog } from '../schedules/validate';
import { isWorkflowType, WORKFLOW_TYPES, type WorkflowType } from '../shared/workflow-types';

// Compile-time half: a workflow exported without its name here, or a name without its workflow, fails `tsc`.
type Exported = keyof typeof workflows;
const everyExportIsNamed: Exported extends WorkflowType ? true : never = true;
const everyNameIsExported: WorkflowType extends Exported ? true : never = true;

describe('shared/workflow-types.ts', () => {
  it('lists exactly the workflow functions workflows/index.ts exports, once each', () => {
    expect(everyExportIsNamed && everyNameIsExported).toBe(true);
    const exported = Object.entries(workflows).filter(([, v]) => typeof v === 'function').map(([k]) => k);
    expect([...WORKFLOW_TYPES].sort()).toEqual(exported.sort());
    expect(new Set(WORKFLOW_TYPES).size).toBe(WORKFLOW_TYPES.length);
  });

  it('is what schedule validation accepts as workflowType', () => {
    expect(WORKFLOW_TYPES.every(isWorkflowType)).toBe(true);
    expect(isWorkflowType('toString')).toBe(false);
    expect(() => validateCatalog(CATALOG)).not.toThrow();
    const bad = { ...CATALOG[0]!, workflowType: 'dailyCollections' };
    expect(() => validateCatalog([bad])).toThrow(CatalogError);
    expect(() => validateCatalog([bad])).toThrow(/workflowType: must be a workflow exported by workflows\/index\.ts \(dailyCollection, /);
  });
});
