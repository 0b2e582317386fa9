import type { RestRequest, RestResponse } from '../personality/personality';

/**
 * Where fault injection plugs into the transport. With no hooks the simulator is a well-behaved exchange; a
 * fault plan (drops, duplicates, reordering, malformed frames, REST 429/418) supplies these functions.
 */

export interface FrameContext {
  sessionId: number;
  stream: string;
  simTime: number;
}

export interface FaultHooks {
  /** Every data frame on its way to a session: the frames to send instead ([] drops it, [f, f] duplicates it). */
  wsFrame?(frame: string, ctx: FrameContext): readonly string[];
  /** Every REST request: a response to send instead of serving it, or undefined to serve it. */
  restRequest?(req: RestRequest, simTime: number): RestResponse | undefined;
}
