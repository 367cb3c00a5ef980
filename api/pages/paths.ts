/** The pages' addresses, built in one place. */
export const projectPath = (code: string) => `/projects/${encodeURIComponent(code)}`;
export const taskPath = (code: string, taskKey: string) => `${projectPath(code)}/tasks/${taskKey}`;
export const entryPath = (code: string, entryId: string) => `${projectPath(code)}/funds/${entryId}`;
