import { Construct } from 'constructs';

/**
 * Reports a construct's invalid props the way aws-cdk-lib's own constructs do: each message becomes a validation
 * error of the construct (`node.addValidation`), so one synth lists every mistake in the app, each under its
 * construct path (`[MailSecurity/TlsReports] Invalid recipient ...`), and the error is raised by the framework's
 * synthesis, not with a stack trace into our sources.
 *
 * Validators stay plain functions that throw an `Error` naming the prop and the value: `value()` turns that into a
 * validation message and carries on with a fallback, so later props are checked too.
 */
export class PropErrors {
  private readonly messages: string[] = [];

  constructor(scope: Construct) {
    scope.node.addValidation({ validate: () => [...this.messages] });
  }

  /** The validated value, or `fallback` after recording the validator's error for synth. */
  public value<T>(validate: () => T, fallback: T): T {
    try {
      return validate();
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      this.messages.push(error.message);
      return fallback;
    }
  }

  /** Records a validation error for synth. */
  public add(message: string): void {
    this.messages.push(message);
  }
}
