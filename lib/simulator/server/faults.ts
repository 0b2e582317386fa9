import type { RestRequest, RestResponse } from '../personality/personality';

/**
 * Where fault injection plugs into the transport. With no hooks the simulator is a well-behaved exchange; a
 * fault plan (lib/simulator/server/fault-plan.ts) supplies these functions.
 */

export interface FrameContext {
  sessionId: number;
  stream: string;
  simTime: number;
}

export interface SessionContext {
  sessionId: number;
  /** Simulated time the session connected. */
  openedAt: number;
  simTime: number;
}

/** What to do to a connection: cut it, or announce a shutdown (`serverShutdown`) and cut it a little later. */
export type SessionFault = 'drop' | 'shutdown';

export interface FaultHooks {
  /** Every data frame on its way to a session: the frames to send instead ([] drops it, [f, f] duplicates it). */
  wsFrame?(frame: string, ctx: FrameContext): readonly string[];
  /** Every REST request: a response to send instead of serving it, or undefined to serve it. */
  restRequest?(req: RestRequest, simTime: number): RestResponse | undefined;
  /** Asked for every open session after each step of simulated time. */
  session?(ctx: SessionContext): SessionFault | undefined;
}
