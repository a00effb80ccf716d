/** tsha's version: one number, package.json's, shown in every agent's meta-data. */
import pkg from '../../package.json' with { type: 'json' };

export const TSHA_VERSION: string = pkg.version;
