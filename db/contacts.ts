import type { Insertable, Selectable } from 'kysely';
import type { Db } from './connection.js';
import type { ContactTable } from './schema.js';

/** Who receives a city's (or the province's) notifications for an audience: a user or a webhook endpoint. */
export type Contact = Selectable<ContactTable>;
export type NewContact = Insertable<ContactTable>;

/** Every contact, or a city's only, by city then audience. */
export async function listContacts(db: Db, city: string | null): Promise<Contact[]> {
  let q = db.selectFrom('contacts').selectAll();
  if (city) q = q.where('city', '=', city);
  return q.orderBy('city').orderBy('audience').execute();
}

/** Saves a contact; returns its id. */
export async function addContact(db: Db, contact: NewContact): Promise<string> {
  const row = await db.insertInto('contacts').values(contact).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** False if there is no such contact. */
export async function deleteContact(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('contacts').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
