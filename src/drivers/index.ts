/**
 * ECMA-419 sensor drivers: SHT3x, BME280, BH1750, the I2C seam they use, and their typed errors.
 * @module
 */
export {
  SENSOR_NACK, SENSOR_CRC, SENSOR_CHIP_ID, SENSOR_TIMEOUT, SENSOR_CONFIG, SENSOR_CLOSED, SENSOR_BUS, SENSOR_DATA,
  SensorError, sensorCodeName, sensorCodeMessage,
} from "./errors.js";
export type { I2C, I2CConstructor, I2COptions, PinSpecifier, PortSpecifier, SensorBusOptions } from "./i2c.js";
export { DEFAULT_HZ, type SensorOptions, type SensorErrorHandler } from "./sensor.js";
export {
  SHT3x, SHT3X_ADDRESS, SHT3X_ADDRESS_ALT, SHT3xCommand, SHT3X_CONVERSION_MS, SHT3X_RESET_MS,
  sht3xCrc8, sht3xTemperature, sht3xHumidity,
  type SHT3xOptions, type SHT3xConfiguration, type SHT3xSample, type SHT3xRepeatability,
} from "./sht3x.js";
export {
  BME280, BME280_ADDRESS, BME280_ADDRESS_ALT, BME280_CHIP_ID, BME280Register, BME280_RESET_VALUE, BME280_RESET_MS,
  createBME280Calibration, parseBME280Calibration, bme280FineTemperature, bme280Temperature, bme280Pressure,
  bme280Humidity, bme280MeasureTimeMax,
  type BME280Options, type BME280Configuration, type BME280Sample, type BME280Calibration,
  type BME280Oversampling, type BME280Filter, type BME280Standby,
} from "./bme280.js";
export {
  BH1750, BH1750_ADDRESS, BH1750_ADDRESS_ALT, BH1750Opcode, BH1750_MTREG_DEFAULT, BH1750_MTREG_MIN, BH1750_MTREG_MAX,
  bh1750Lux, bh1750ConversionTime,
  type BH1750Options, type BH1750Configuration, type BH1750Sample, type BH1750Resolution,
} from "./bh1750.js";
