import { FluxError } from './flux.error.js';

/**
 * A feature needs an optional peer dependency that is not installed (drivers and integrations
 * are not installed with nestjs-flux, so an app on the memory store carries none of them).
 */
export class MissingPeerDependencyError extends FluxError {
  /** The command that installs what is missing, e.g. `npm install typeorm mysql2`. */
  readonly installCommand: string;

  constructor(
    /** The npm package that could not be loaded, e.g. `mysql2`. */
    readonly packageName: string,
    /** What needs it, e.g. `the MySQL event store`. */
    readonly feature: string,
    /** Every package the feature needs (installed together); default: just `packageName`. */
    packages: readonly string[] = [packageName],
    options?: { cause?: unknown },
  ) {
    const installCommand = `npm install ${packages.join(' ')}`;
    super(
      'MISSING_PEER_DEPENDENCY',
      `${feature} needs the package "${packageName}", which is not installed. ` +
        `It is an optional peer dependency of nestjs-flux: install it in your app with \`${installCommand}\`.`,
      options,
    );
    this.installCommand = installCommand;
  }
}
