import type { TaskFn } from './types';

/** A task that does nothing: its peak RSS is the floor every child starts from (Node + the tsx loader). */
export const noop: TaskFn = () => Promise.resolve(null);
