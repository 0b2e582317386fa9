/**
 * An error the user can fix (bad flag, missing file, unsupported option). The CLI prints its message as one
 * line and exits non-zero; anything else is a bug and is reported as such.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}
