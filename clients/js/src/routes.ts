// Every route of the bridge's API, by the name of the client's method that calls it, and
// the types of each route's query, body and answer, taken from the OpenAPI document
// (src/openapi.ts, generated: see README.md). A browser test checks that this table and
// the bridge's OpenAPI document name the same routes.

import type { paths } from "./openapi.js";

type HttpMethod = "get" | "post" | "patch" | "delete";

export const ROUTES = {
  health: ["get", "/v1/health"],
  readers: ["get", "/v1/readers"],
  events: ["get", "/v1/events"],
  practitioner: ["get", "/v1/cps"],
  certificates: ["get", "/v1/cps/certificates"],
  pinStatus: ["get", "/v1/cps/pin"],
  verifyPin: ["post", "/v1/cps/pin/verify"],
  openPinSession: ["post", "/v1/cps/pin/session"],
  endPinSession: ["delete", "/v1/cps/pin/session"],
  changePin: ["post", "/v1/cps/pin/change"],
  unblockPin: ["post", "/v1/cps/pin/unblock"],
  challenge: ["post", "/v1/auth/challenge"],
  login: ["post", "/v1/auth/token"],
  verifyToken: ["post", "/v1/auth/verify"],
  session: ["get", "/v1/session"],
  approval: ["get", "/v1/approvals/{approval_id}"],
  answerApproval: ["post", "/v1/approvals/{approval_id}"],
  pairingLink: ["post", "/v1/pairing"],
  unpair: ["delete", "/v1/pairing"],
  origins: ["get", "/v1/origins"],
  approveOrigin: ["post", "/v1/origins/approval"],
  revokeOrigin: ["delete", "/v1/origins/approval"],
  vitale: ["get", "/v1/vitale"],
  documentTypes: ["get", "/v1/dmp/document-types"],
  patient: ["post", "/v1/dmp/patient"],
  dmpStatus: ["get", "/v1/dmp/status"],
  dmpAccess: ["post", "/v1/dmp/access"],
  journal: ["get", "/v1/dmp/journal"],
  verifyJournal: ["get", "/v1/dmp/journal/verify"],
  documents: ["get", "/v1/dmp/documents"],
  document: ["get", "/v1/dmp/documents/{unique_id}"],
  changeDocument: ["patch", "/v1/dmp/documents/{unique_id}"],
  deleteDocument: ["delete", "/v1/dmp/documents/{unique_id}"],
  deposit: ["post", "/v1/dmp/documents"],
  authorizations: ["get", "/v1/dmp/authorizations"],
  dmpPatients: ["get", "/v1/dmp/patients"],
} as const satisfies Record<string, readonly [HttpMethod, keyof paths]>;

export type RouteName = keyof typeof ROUTES;

/** The OpenAPI operation of route `R`. */
export type Operation<R extends RouteName> = paths[(typeof ROUTES)[R][1]][(typeof ROUTES)[R][0]];

/** The JSON answer of route `R` (`void` when it answers 204). */
export type Answer<R extends RouteName> =
  Operation<R> extends { responses: { 200: { content: { "application/json": infer T } } } }
    ? T
    : Operation<R> extends { responses: { 201: { content: { "application/json": infer T } } } }
      ? T
      : void;

/** The JSON body of route `R`. */
export type Body<R extends RouteName> =
  Operation<R> extends { requestBody: { content: { "application/json": infer B } } }
    ? B
    : Operation<R> extends { requestBody?: { content: { "application/json": infer B } } }
      ? B
      : never;

/** The query parameters of route `R` (`reader` on every card route). */
export type Query<R extends RouteName> =
  Operation<R> extends { parameters: { query?: infer Q } }
    ? [Q] extends [undefined | never]
      ? Record<string, never>
      : NonNullable<Q>
    : Record<string, never>;
