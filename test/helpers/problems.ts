// Asserting an RFC 9457 answer: status, media type, type URI, code and a title.
import type { LightMyRequestResponse } from "fastify";
import { expect } from "vitest";

export interface ProblemBody {
  title: string;
  detail?: string;
  errors?: { field: string; message: string }[];
}

export function expectProblem(response: LightMyRequestResponse, status: number, code: string): ProblemBody {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
  const problem = response.json();
  expect(problem).toMatchObject({ type: `https://certdesk.dev/errors/${code}`, status, code });
  expect(typeof problem.title).toBe("string");
  return problem as ProblemBody;
}
