// Types for cosmiconfig's own Explorer class, which ./find.ts builds
// directly rather than through cosmiconfig(): the module ships no types of
// its own (its class is marked internal), and this is the part p7apps uses.
// cosmiconfig's package has no exports map, so the module is importable.

declare module 'cosmiconfig/dist/Explorer.js' {
  import type { CosmiconfigResult, Options, PublicExplorer } from 'cosmiconfig';

  /** What cosmiconfig() hands its Explorer once it has merged in the settings it found: every field given. */
  export interface ExplorerOptions extends Options {
    moduleName: string;
    /** A settings file to read before any search; p7apps reads none. */
    metaConfigFilePath: string | null;
  }

  export class Explorer implements PublicExplorer {
    constructor(options: ExplorerOptions);
    load(filepath: string): Promise<CosmiconfigResult>;
    search(from?: string): Promise<CosmiconfigResult>;
    clearLoadCache(): void;
    clearSearchCache(): void;
    clearCaches(): void;
  }
}
