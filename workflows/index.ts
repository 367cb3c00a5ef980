export { projectLanding } from './projectLanding.js';
export { quarterlyReport } from './quarterlyReport.js';
