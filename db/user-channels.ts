import type { Db } from './connection.js';
import type { UserChannelTable } from './schema.js';

type UserChannel = UserChannelTable['channel'];

/** The channels a user has turned on or off; a channel without a row is on. */
export async function userChannels(db: Db, userId: string) {
  return db.selectFrom('user_channels').select(['channel', 'enabled']).where('user_id', '=', userId).execute();
}

export async function setUserChannel(db: Db, userId: string, channel: UserChannel, enabled: boolean): Promise<void> {
  await db
    .insertInto('user_channels')
    .values({ user_id: userId, channel, enabled })
    .onConflict((oc) => oc.columns(['user_id', 'channel']).doUpdateSet({ enabled }))
    .execute();
}
