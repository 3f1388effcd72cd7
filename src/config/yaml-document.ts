// The YAML parser, behind a module of our own so that find.ts can load it
// only for YAML configs: a dynamic import of this ES module behaves alike
// under Node and in the CLI bundle, where importing the `yaml` package's
// CommonJS build dynamically would not expose its named exports.

export { parseDocument } from 'yaml';
