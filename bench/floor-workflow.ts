/**
 * The floors: a workflow whose update does nothing, and one whose update awaits a local activity
 * that does nothing, on the same server as luodi's.
 */
import { condition, defineUpdate, proxyLocalActivities, setHandler } from '@temporalio/workflow';

export const touch = defineUpdate<number, [number]>('touch');
export const touchLocal = defineUpdate<number, [number]>('touchLocal');

/** The floor's activity: nothing. */
export const floorActivities = {
  async nothing(n: number): Promise<number> {
    return n;
  },
};

const { nothing } = proxyLocalActivities<typeof floorActivities>({ startToCloseTimeout: '10 seconds' });

export async function benchFloor(): Promise<void> {
  let done = false;
  setHandler(touch, (n) => {
    if (n < 0) done = true;
    return n;
  });
  setHandler(touchLocal, (n) => nothing(n));
  await condition(() => done);
}
