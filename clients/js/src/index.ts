// @cardbridge/client: the browser client of cardbridge's local API (README.md).

export { type ApprovalInfo, openPopup, type WindowOpener } from "./approval.js";
export { CardBridge, type CardBridgeOptions, type DepositForm, type DocumentContent } from "./client.js";
export * from "./errors.js";
export {
  type EventMap,
  type EventName,
  EventStream,
  type StreamOptions,
  type StreamStatus,
} from "./events.js";
export type { Language } from "./messages.js";
export type { components, operations, paths } from "./openapi.js";
export { type Answer, type Body, type Query, ROUTES, type RouteName } from "./routes.js";

/** The schemas of the bridge's OpenAPI document, by name (`Schemas["Practitioner"]`). */
export type Schemas = import("./openapi.js").components["schemas"];
