/** Where a sharded registry keeps one agent's entry: `index/<first two characters, lowercased>/<name>.json`. */
export const SHARD_CONFIG = "index/config.json";
export const SHARD_FORMAT = 1;

export function shardPath(name: string): string {
  return `index/${name.slice(0, 2).toLowerCase()}/${name}.json`;
}
