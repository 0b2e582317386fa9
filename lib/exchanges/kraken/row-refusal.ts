import type { DatasetSpec, Row } from '../../schema/types';
import { rowProblem } from '../reasons';
import type { KrakenFields } from './fields';

/** Why a mapped row is refused, prefixed with the message kind: the first field problem, else the row's against its spec. */
export function rowRefusal(spec: DatasetSpec, what: string, fields: KrakenFields, row: Row): string | null {
  if (fields.problem) return `${what}: ${fields.problem}`;
  const problem = rowProblem(spec, row);
  return problem ? `${what}: ${problem}` : null;
}
