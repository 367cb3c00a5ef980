import type { Translate } from '../catalog.js';
import { projectPath } from '../paths.js';
import { FieldForm, type FieldFormProps } from './field-form.js';

export interface FormPageProps extends FieldFormProps {
  t: Translate;
  title: string;
  project: { code: string; name: string };
  /** Said after the project's name: what the form is about. */
  subtitle: string;
  /** Why the form is not offered (a task that is no longer open), or null. */
  closed: string | null;
}

/** A form about one project: its title, the project it belongs to, then the form. */
export function FormPage({ title, project, subtitle, closed, ...form }: FormPageProps) {
  return (
    <>
      <h1>{title}</h1>
      <p class="muted">
        <a href={projectPath(project.code)}>
          {project.name} · {project.code}
        </a>
        {subtitle}
      </p>
      {closed === null ? <FieldForm {...form} /> : <p class="card">{closed}</p>}
    </>
  );
}
