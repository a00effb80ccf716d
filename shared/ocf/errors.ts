import { OCF, type OcfCode } from './exit-codes.ts';

/**
 * An error that knows its OCF exit code. The message becomes the exit reason,
 * so it names the parameter or condition and never holds a secret.
 */
export class OcfError extends Error {
  readonly code: OcfCode;
  constructor(code: OcfCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Unspecified failure; for monitor: running but malfunctioning, or state undetermined (1). */
export class GenericError extends OcfError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(OCF.ERR_GENERIC, message, options);
  }
}

/** Parameters invalid on this host only (2). */
export class ArgsError extends OcfError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(OCF.ERR_ARGS, message, options);
  }
}

/** The action is not implemented (3). */
export class UnimplementedError extends OcfError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(OCF.ERR_UNIMPLEMENTED, message, options);
  }
}

/** Insufficient privileges on this host (4). */
export class PermissionError extends OcfError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(OCF.ERR_PERM, message, options);
  }
}

/** Not installed: required software or data missing, or unusable, on this host (5). A hard error: Pacemaker keeps the resource off this node. */
export class NotInstalledError extends OcfError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(OCF.ERR_INSTALLED, message, options);
  }
}

/** Parameters inherently invalid, the same on every node (6): Pacemaker bans the resource cluster-wide. */
export class ConfigurationError extends OcfError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(OCF.ERR_CONFIGURED, message, options);
  }
}

/** The action's deadline passed before it could finish (1). */
export class DeadlineError extends GenericError {}
