import { z } from 'zod';
import { taskTemplateInput, type TaskTemplateInput } from './template-schema.js';
// The templates themselves are data (default-templates.json), checked against the template schema when loaded.
import templates from './default-templates.json' with { type: 'json' };

/**
 * The built-in templates, each saved as version 1 when a database has none for its project type.
 * Admins change templates by saving new versions (npm run template), never by editing this.
 */
export const DEFAULT_TEMPLATES: TaskTemplateInput[] = z.array(taskTemplateInput).parse(templates);
