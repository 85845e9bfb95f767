export { GEOIP_KINDS, GeoIpConfigError, type GeoIpConfigErrorCode, type GeoIpKind } from './geoip-config.error.js';
export { GeoIpDatabase, type GeoIpDatabaseInfo, type GeoIpDatabaseOptions } from './geoip-database.js';
export { GeoIpService, type GeoIpRegion, type GeoIpServiceOptions } from './geoip.service.js';
export type * from './geoip.types.js';
export { MAXMIND_KEY_TYPES, MmdbTyped, mmdb, type MmdbTypeName, type MmdbValue } from './mmdb-data-encoder.js';
export { MmdbFormatError, readMmdbMetadata, verifyMmdb, type MmdbMetadata } from './mmdb-verify.js';
export { MmdbWriter, chooseRecordSize, type MmdbWriterOptions } from './mmdb-writer.js';
export { GeoIpRegionCache } from './geoip-region-cache.js';
