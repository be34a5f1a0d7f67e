/**
 * xsmqtt client: public surface.
 * @module
 */
export { MqttClient, ClientCounters } from "./client.js";
export type { MqttClientOptions, ReconnectOptions, WillOptions } from "./client.js";
export { Qos2Engine } from "./qos2.js";
export type { Qos2EngineOptions } from "./qos2.js";
export { SessionJournal, StoreError } from "./journal.js";
export type { Qos2Seam, JournalSeam, IncomingJournal, JournalReport } from "./session.js";
export { RecordState } from "./session.js";
export { MqttMessage, decodeUtf8 } from "./message.js";
export type { MessageHandler, SubackHandler } from "./router.js";
export * from "./codes.js";
export * from "./errors.js";
export type { Host, Socket, SocketConstructor, SocketOptions, Clock, TlsOptions, SessionStore } from "./host.js";
