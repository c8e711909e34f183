import fs from "node:fs/promises";
import { acquireLock } from "../util/process-lock.js";
import { assertScopeFolders } from "../project/containment.js";
import type { Scope } from "../project/scope.js";
import type { ContentStore } from "../store/cas.js";
import { describeTidy, tidyScope } from "./housekeeping.js";
import { unwritable } from "./io-error.js";

const LOCK_WAIT_MS = 15_000;

/** Where a locked run works: the scope, the store (to finish an interrupted run), the environment (lock wait). */
export interface LockTarget {
  scope: Scope;
  store: ContentStore;
  deps: { env: NodeJS.ProcessEnv };
}

/**
 * Run `fn` holding the scope's process lock, after finishing whatever an interrupted run left behind
 * (journal, temp files). `fn` gets what tidying did, as lines for warnings; when it did anything, the
 * project files must be read again.
 */
export async function withProjectLock<T>(t: LockTarget, fn: (tidied: string[]) => Promise<T>): Promise<T> {
  await assertScopeFolders(t.scope);
  const release = await fs
    .mkdir(t.scope.claudeDir, { recursive: true })
    .then(() => acquireLock(t.scope.lockDir, Number(t.deps.env.AGENTPKG_LOCK_WAIT_MS ?? LOCK_WAIT_MS)))
    .catch((err: unknown) => {
      throw unwritable(t.scope, err);
    });
  try {
    return await fn(describeTidy(await tidyScope(t.scope, t.store)));
  } finally {
    await release();
  }
}
