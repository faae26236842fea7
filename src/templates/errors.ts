// The error a template raises when it refuses a conversation, shared by the walk and the agent
// templates (a module of its own so agent templates need not import the walk).

/** A template refused the conversation (the official template, or ms-swift, raises the same reason). */
export class TemplateError extends Error {
  override name = 'TemplateError';
}
