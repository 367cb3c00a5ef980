import type { Role } from '../db/schema.js';
import type { User } from '../db/users.js';
import type { City, Department } from '../workflows/reference.js';
import { Problem } from './problem.js';

/** What a request wants to do, checked against who is asking and, where there is one, the object. */
export type Action =
  | 'project.create'
  | 'project.read'
  | 'project.advance'
  | 'project.liaison'
  | 'project.withdraw'
  | 'project.merge'
  | 'project.reproject'
  | 'task.complete'
  | 'blocker.report'
  | 'blocker.resolve'
  | 'inbox.read'
  | 'stuck.read'
  | 'funds.record'
  | 'funds.verify'
  | 'funds.reverse'
  | 'funds.void'
  | 'statistics.read'
  | 'targets.manage'
  | 'notifications.read'
  | 'notifications.manage'
  | 'users.manage'
  | 'account.manage'
  | 'reference.read'
  | 'templates.manage'
  | 'calendar.manage'
  | 'admin.read'
  | 'temporal.read';

export interface Target {
  city: City;
  /** For a task: the department that owns it. */
  department?: Department;
}

const ROLES_FOR: Readonly<Record<Action, readonly Role[]>> = {
  'project.create': ['coordinator'],
  'project.read': ['coordinator', 'staff', 'verifier', 'supervisor', 'admin'],
  'project.advance': ['coordinator'],
  'project.liaison': ['coordinator'],
  'project.withdraw': ['coordinator'],
  'project.merge': ['coordinator'],
  'project.reproject': ['admin'],
  'task.complete': ['staff'],
  'blocker.report': ['coordinator', 'staff'],
  'blocker.resolve': ['coordinator'],
  'inbox.read': ['staff'],
  'stuck.read': ['supervisor', 'coordinator'],
  'funds.record': ['coordinator'],
  'funds.verify': ['verifier'],
  'funds.reverse': ['coordinator'],
  // Funds are entered by coordinators: whoever entered an entry, or another coordinator of the city.
  'funds.void': ['coordinator'],
  'statistics.read': ['supervisor', 'coordinator', 'verifier', 'admin'],
  'targets.manage': ['admin'],
  'notifications.read': ['coordinator', 'staff', 'verifier', 'supervisor', 'admin'],
  'notifications.manage': ['admin'],
  'users.manage': ['admin'],
  /** One's own password and API tokens. */
  'account.manage': ['coordinator', 'staff', 'verifier', 'supervisor', 'admin'],
  'reference.read': ['coordinator', 'staff', 'verifier', 'supervisor', 'admin'],
  'templates.manage': ['admin'],
  'calendar.manage': ['admin'],
  /** The admin pages' landing page. */
  'admin.read': ['admin'],
  /** The Temporal UI (through luodi's proxy) and the codec endpoint that decrypts its payloads: province-level only (mayOpenTemporal). */
  'temporal.read': ['supervisor', 'coordinator'],
};

export function inScope(user: User, city: City): boolean {
  return user.city === null || user.city === city;
}

/** Throws a 403 problem unless the user may do this (to this object). */
export function authorize(user: User, action: Action, target?: Target): void {
  if (!ROLES_FOR[action].includes(user.role)) {
    throw new Problem(403, 'Forbidden', `A ${user.role} may not do ${action}.`);
  }
  if (target && !inScope(user, target.city)) {
    throw new Problem(403, 'Forbidden', `${user.id} acts for ${user.city}, and this project is in ${target.city}.`);
  }
  if (target?.department && user.role === 'staff' && user.department !== target.department) {
    throw new Problem(403, 'Forbidden', `This task belongs to ${target.department}; ${user.id} acts for ${user.department}.`);
  }
}

/** Whether the user may do this in this city: for showing only the actions a page would allow. */
export function mayDo(user: User, action: Action, city: City): boolean {
  return ROLES_FOR[action].includes(user.role) && inScope(user, city);
}

/**
 * Whether the user may open the Temporal UI and have its payloads decrypted: a province-level
 * supervisor or coordinator. The UI lists and opens every city's workflows and cannot be limited
 * to one city, so city users are kept to luodi's own stuck list, which is.
 */
export function mayOpenTemporal(user: User): boolean {
  return ROLES_FOR['temporal.read'].includes(user.role) && user.city === null;
}

/** Throws a 403 problem unless the user may open the Temporal UI (mayOpenTemporal). */
export function authorizeTemporal(user: User): void {
  authorize(user, 'temporal.read');
  if (user.city !== null) {
    throw new Problem(403, 'Forbidden', `The Temporal UI shows every city's projects; ${user.id} acts for ${user.city}. Use the stuck list (/stuck) instead.`);
  }
}
