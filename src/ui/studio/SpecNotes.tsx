// A built-in template's notes, from its spec (src/templates/specs.ts): what it does where the
// official template refuses or loses data, the official template it is checked against, the
// models, the template variables. The doctor's findings link here ("see the spec notes").
import type { TemplateSpec } from '../../templates/index.ts';

export const specNotesId = (column: number) => `spec-notes-${column}`;

/** Opens a column's notes panel and brings it into view (hash links would change the page). */
export function showSpecNotes(column: number): void {
  const el = document.getElementById(specNotesId(column)) as HTMLDetailsElement | null;
  if (!el) return;
  el.open = true;
  el.scrollIntoView({ block: 'nearest' });
  el.querySelector('summary')?.focus();
}

export function SpecNotes({ spec, column }: { spec: TemplateSpec; column: number }) {
  return (
    <details className="spec-notes small" id={specNotesId(column)} data-testid={specNotesId(column)}>
      <summary>Notes on {spec.id}</summary>
      {spec.notes ? (
        <p data-testid={`spec-notes-text-${column}`}>{spec.notes}</p>
      ) : (
        <p className="muted">No notes: it writes what the official template writes.</p>
      )}
      <dl className="kv">
        {spec.reference && (
          <>
            <dt>Checked against</dt>
            <dd>
              <code>{spec.reference}</code> (the official template, rendered by Jinja2)
            </dd>
          </>
        )}
        <dt>Models</dt>
        <dd>{spec.models.length ? spec.models.join(', ') : 'generic'}</dd>
        <dt>Tool format</dt>
        <dd>{spec.toolFormat}</dd>
        {spec.vars?.map((v) => (
          <FragmentVar key={v.name} name={v.name} def={v.default} description={v.description} />
        ))}
      </dl>
    </details>
  );
}

function FragmentVar({ name, def, description }: { name: string; def: string; description: string }) {
  return (
    <>
      <dt>
        <code>{name}</code>
      </dt>
      <dd>
        {description} (default {def})
      </dd>
    </>
  );
}
