import type { VNode } from 'preact';
import type { Translate } from '../catalog.js';
import { projectPath } from '../paths.js';
import { FieldForm, type FieldFormProps } from './field-form.js';

export interface FormPageProps extends FieldFormProps {
  t: Translate;
  title: string;
  /** The project the form is about, if it is about one. */
  project: { code: string; name: string } | null;
  intro: VNode | null;
  /** Said after the project's name: what the form is about. */
  subtitle: string;
  /** Why the form is not offered (a task that is no longer open), or null. */
  closed: string | null;
}

/** A form: its title, the project it belongs to (if any), what to know first, then the form. */
export function FormPage({ title, project, subtitle, closed, intro, ...form }: FormPageProps) {
  return (
    <>
      <h1>{title}</h1>
      {project && (
        <p class="muted">
          <a href={projectPath(project.code)}>
            {project.name} · {project.code}
          </a>
          {subtitle}
        </p>
      )}
      {intro}
      {closed === null ? <FieldForm {...form} /> : <p class="card">{closed}</p>}
    </>
  );
}
