/** The data checks' public face: the registry, the runner and their types. */
export { CHECKS } from './registry';
export { runDataCheckGroup, type DataCheckReport } from './run';
export { DATA_GROUPS, type DataGroup, isDataGroup, type CheckSettings } from './types';
