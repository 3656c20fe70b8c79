import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { type EditRequest, editRequestSchema, type TrackingRequest, trackingRequestSchema } from './edits.js';
import { type FaultOptions, faultOptionsSchema } from './faults.js';
import type { Fixture } from './fixture.js';
import { readBody, sendJson } from './http-io.js';
import type { SimulatorQuirks } from './router.js';
import type { SimulatorStats } from './stats.js';

/** What control endpoints may do to a running simulator. */
export interface SimulatorControl {
  stats(): SimulatorStats;
  reset(): void;
  setFaults(faults: FaultOptions): void;
  setRateLimit(rateLimit: { limit?: number | undefined; windowSeconds?: number | undefined }): void;
  setQuirks(quirks: Partial<SimulatorQuirks>): void;
  dump(): Fixture;
  /** Returns an error text, or null when applied. */
  edit(request: EditRequest): string | null;
  setChangeTracking(request: TrackingRequest): string | null;
}

const quirksSchema = z.strictObject({ nullPages: z.boolean().optional() });

const rateLimitSchema = z.strictObject({
  limit: z.number().int().positive().optional(),
  windowSeconds: z.number().positive().optional(),
});

async function jsonBody<T extends z.ZodType>(req: IncomingMessage, schema: T): Promise<z.output<T> | string> {
  const text = (await readBody(req)) ?? '';
  let json: unknown;
  try {
    json = text === '' ? {} : JSON.parse(text);
  } catch (error) {
    return `body is not valid JSON: ${(error as Error).message}`;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : z.prettifyError(parsed.error);
}

function badRequest(res: ServerResponse, message: string): void {
  sendJson(res, 400, { errors: [{ code: 'bad-request', message }] });
}

/** /_simulator/* (stats, state, reset, faults, rate-limit, quirks) — no auth, never counted in stats or limits, never faulted. */
export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  sim: SimulatorControl,
): Promise<void> {
  const route = `${req.method} ${url.pathname.replace(/\/$/, '')}`;
  switch (route) {
    case 'GET /_simulator/stats':
      return sendJson(res, 200, sim.stats());
    case 'GET /_simulator/state':
      return sendJson(res, 200, sim.dump());
    case 'POST /_simulator/reset':
      sim.reset();
      return sendJson(res, 200, { reset: true });
    case 'POST /_simulator/faults': {
      const faults = await jsonBody(req, faultOptionsSchema);
      if (typeof faults === 'string') return badRequest(res, `faults: ${faults}`);
      sim.setFaults(faults);
      return sendJson(res, 200, { faults });
    }
    case 'POST /_simulator/rate-limit': {
      const rate = await jsonBody(req, rateLimitSchema);
      if (typeof rate === 'string') return badRequest(res, `rate-limit: ${rate}`);
      sim.setRateLimit(rate);
      return sendJson(res, 200, { rateLimit: rate });
    }
    case 'POST /_simulator/edits': {
      const edit = await jsonBody(req, editRequestSchema);
      if (typeof edit === 'string') return badRequest(res, `edits: ${edit}`);
      const problem = sim.edit(edit);
      if (problem !== null) return badRequest(res, `edits: ${problem}`);
      return sendJson(res, 200, { applied: true });
    }
    case 'POST /_simulator/change-tracking': {
      const tracking = await jsonBody(req, trackingRequestSchema);
      if (typeof tracking === 'string') return badRequest(res, `change-tracking: ${tracking}`);
      const problem = sim.setChangeTracking(tracking);
      if (problem !== null) return badRequest(res, `change-tracking: ${problem}`);
      return sendJson(res, 200, { tracking });
    }
    case 'POST /_simulator/quirks': {
      const quirks = await jsonBody(req, quirksSchema);
      if (typeof quirks === 'string') return badRequest(res, `quirks: ${quirks}`);
      sim.setQuirks(quirks.nullPages === undefined ? {} : { nullPages: quirks.nullPages });
      return sendJson(res, 200, { quirks });
    }
    default:
      return sendJson(res, 404, { errors: [{ code: 'not-found', message: `No control route ${route}` }] });
  }
}
