/** Resolves true once `work` settles, or false when `ms` pass first. */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
  const result = await Promise.race([work.then(() => true), timeout]);
  clearTimeout(timer);
  return result;
}
