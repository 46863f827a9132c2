// How Fastify turns the route schemas into code: validators for requests, serializers for answers.
import { AjvCompiler } from "@fastify/ajv-compiler";
import { SerializerSelector } from "@fastify/fast-json-stringify-compiler";
import type { FastifyServerOptions } from "fastify";
import { isShared } from "./db/read-cache.js";

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions["schemaController"]>["compilersFactory"]>;

const ajvCompilers = AjvCompiler();

/**
 * Ajv with Fastify's options for params, query and headers, which arrive as text and need
 * coercion ("limit=5" → 5); without coercion for the JSON body, where {"name": 42} is the
 * wrong type and must be refused, not quietly turned into "42".
 */
export const buildValidator: CompilersFactory["buildValidator"] = (externalSchemas, ajvOptions) => {
  const coercing = ajvCompilers(externalSchemas, ajvOptions);
  const customOptions = { ...(ajvOptions?.customOptions as object | undefined), coerceTypes: false };
  const strict = ajvCompilers(externalSchemas, { ...ajvOptions, customOptions } as typeof ajvOptions);
  return (route) => (route.httpPart === "body" ? strict : coercing)(route);
};

const fastJsonStringify = SerializerSelector();

/**
 * fast-json-stringify, plus: an answer taken whole from the read cache (db/read-cache.ts) is
 * written out once. The cache hands the same frozen object to every request until the database
 * changes, so a page of members is not turned into the same 10 KB of JSON on every request.
 */
export const buildSerializer: CompilersFactory["buildSerializer"] = (externalSchemas, serializerOptions) => {
  const compile = fastJsonStringify(externalSchemas, serializerOptions);
  return (route) => {
    const serialize = compile(route) as (data: unknown) => string;
    // Kept as UTF-8 bytes: Node would otherwise measure and encode the same text on every send.
    const written = new WeakMap<object, Buffer>();
    const serializeShared = (data: unknown): string | Buffer => {
      if (typeof data !== "object" || data === null || !isShared(data)) return serialize(data);
      let json = written.get(data);
      if (json === undefined) {
        json = Buffer.from(serialize(data));
        written.set(data, json);
      }
      return json;
    };
    return serializeShared as (data: unknown) => string; // Fastify sends a Buffer as it is
  };
};
