/**
 * xsmqtt firmware app: public surface (`import { Firmware } from "xsmqtt/app"`). The firmware, its
 * configuration, the diagnostics provider the host fills, the topic layout, Home Assistant discovery and SenML.
 * @module
 */
export { Firmware, firmwareClientSizing, type FirmwareClientSizing, type FirmwareOptions } from "./firmware.js";
export {
  FirmwareCounters, type FirmwareEvent, type SensorDriver, type SensorDriverClass, type SensorDrivers,
} from "./types.js";
export {
  ConfigError, validateConfig, expireAfterFor, isValidId, isValidPrefix, DEFAULT_ADDRESS, EXPIRE_AUTO, KIND_QUANTITIES,
  PERIOD_MAX, PERIOD_MIN, SENSOR_KINDS,
  type BrokerConfig, type FirmwareConfig, type Quantity, type ReadingPolicy, type SensorConfig, type SensorKind,
  type TlsConfig,
} from "./config.js";
export {
  DiagnosticsPublisher, DIAGNOSTICS, diagnosticNames, normalizeMac,
  type DiagnosticInfo, type DiagnosticName, type DiagnosticsProvider,
} from "./diagnostics.js";
export {
  ABBREVIATIONS, DEVICE_ABBREVIATIONS, FIRMWARE_VERSION, MANUFACTURER, discoveryDocuments, expandAbbreviations,
  type DiscoveryDocument, type DiscoveryKind, type DiscoveryOptions,
} from "./discovery.js";
export { SenmlWriter } from "./senml.js";
export {
  OFFLINE, OK, ONLINE, PERIOD_NOT_A_NUMBER, PERIOD_OUT_OF_RANGE, QUANTITIES, deviceBase, deviceErrorTopic,
  diagnosticTopic, discoveryTopic, entityConfigTopic, entityId, objectId, parsePeriod, periodCommandTopic,
  periodStateTopic, readingTopic, senmlTopic, sensorErrorTopic, statusTopic, type QuantityInfo,
} from "./topics.js";
