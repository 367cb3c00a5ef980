import type { Migration } from 'kysely';
import * as projectsAndAuditLog from './2026-11-21T00-00_projects-and-audit-log.js';
import * as landingTasks from './2026-11-21T01-00_landing-tasks.js';
import * as usersAndAuth from './2026-11-21T02-00_users-and-auth.js';
import * as sessions from './2026-11-21T03-00_sessions.js';
import * as signingDetails from './2026-11-21T04-00_signing-details.js';
import * as fundsLedger from './2026-11-21T05-00_funds-ledger.js';
import * as statistics from './2026-11-21T06-00_statistics.js';
import * as reports from './2026-11-21T07-00_reports.js';
import * as notifications from './2026-11-21T08-00_notifications.js';
import * as security from './2026-11-22T03-10_security.js';
import * as outboxClaims from './2026-11-22T03-20_outbox-claims.js';
import * as trust from './2026-11-22T04-00_trust.js';
import * as statisticsIndexes from './2026-12-03T15-00_statistics-indexes.js';
import * as fundsInPlaceDaily from './2026-12-04T19-00_funds-in-place-daily.js';
import * as fundsReversalIndex from './2026-12-04T20-00_funds-reversal-index.js';
import * as fundsVerifiedByProject from './2026-12-04T21-00_funds-verified-by-project.js';
import * as listIndexes from './2026-12-04T22-00_list-indexes.js';
import * as authChanges from './2026-12-06T06-00_auth-changes.js';

/** Every migration, by name; names sort in the order they run. */
export const migrations: Record<string, Migration> = {
  '2026-11-21T00-00_projects-and-audit-log': projectsAndAuditLog,
  '2026-11-21T01-00_landing-tasks': landingTasks,
  '2026-11-21T02-00_users-and-auth': usersAndAuth,
  '2026-11-21T03-00_sessions': sessions,
  '2026-11-21T04-00_signing-details': signingDetails,
  '2026-11-21T05-00_funds-ledger': fundsLedger,
  '2026-11-21T06-00_statistics': statistics,
  '2026-11-21T07-00_reports': reports,
  '2026-11-21T08-00_notifications': notifications,
  '2026-11-22T03-10_security': security,
  '2026-11-22T03-20_outbox-claims': outboxClaims,
  '2026-11-22T04-00_trust': trust,
  '2026-12-03T15-00_statistics-indexes': statisticsIndexes,
  '2026-12-04T19-00_funds-in-place-daily': fundsInPlaceDaily,
  '2026-12-04T20-00_funds-reversal-index': fundsReversalIndex,
  '2026-12-04T21-00_funds-verified-by-project': fundsVerifiedByProject,
  '2026-12-04T22-00_list-indexes': listIndexes,
  '2026-12-06T06-00_auth-changes': authChanges,
};
