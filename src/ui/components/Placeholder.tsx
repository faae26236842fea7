import type { ReactNode } from 'react';

/** A page section whose feature is still being built: says what will be here. */
export function Planned({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="card planned">
      <h2>{title}</h2>
      <div className="muted">{children}</div>
    </section>
  );
}
