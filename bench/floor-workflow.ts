/** The floor: a workflow whose update does nothing, on the same server as luodi's. */
import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

export const touch = defineUpdate<number, [number]>('touch');

export async function benchFloor(): Promise<void> {
  let done = false;
  setHandler(touch, (n) => {
    if (n < 0) done = true;
    return n;
  });
  await condition(() => done);
}
