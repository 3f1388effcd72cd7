// An environment's name: used in --env, P7APPS_ENV, plan headers and file
// names, so plain. Kept free of dependencies (zod included), so that the
// modules that only check a name do not load the schema at start-up.

export const ENVIRONMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
