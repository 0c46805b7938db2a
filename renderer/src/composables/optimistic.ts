/**
 * Optimistic updates, one way everywhere: change local state at once so the UI answers
 * immediately, send the request, and put the state back if the engine refuses (the
 * error still reaches the caller, which shows it). `apply` makes the change and returns
 * how to undo it.
 */
export async function optimistic<T>(apply: () => () => void, request: () => Promise<T>): Promise<T> {
  const undo = apply();
  try {
    return await request();
  } catch (err) {
    undo();
    throw err;
  }
}
