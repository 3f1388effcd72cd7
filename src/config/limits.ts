// The limits a config is held to, in one place and free of dependencies, so
// the library entry can export them cheaply.

/** A thumbnail larger than this is refused. */
export const MAX_THUMBNAIL_BYTES = 1024 * 1024;
/** A descriptionFile larger than this is refused before it is read. */
export const MAX_DESCRIPTION_FILE_BYTES = 256 * 1024;
export const MAX_DESCRIPTION_LENGTH = 65_536;
export const MAX_APP_NAME_LENGTH = 200;
export const MAX_WORKSPACE_NAME_LENGTH = 200;
export const MAX_WORKSPACE_ID_LENGTH = 64;
export const MAX_WORKFLOW_PATH_LENGTH = 4096;
export const MAX_FILE_PATH_LENGTH = 1024;
export const MAX_URL_LENGTH = 2048;
export const MAX_APPS = 5000;
export const MAX_VERSIONS_PER_APP = 1000;
/** The server stores version numbers as 32-bit integers. */
export const MAX_VERSION_NUMBER = 2_147_483_647;
/** A config file larger than this is refused before it is parsed. */
export const MAX_CONFIG_FILE_BYTES = 10 * 1024 * 1024;
