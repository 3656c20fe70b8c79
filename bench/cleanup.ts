/** Undo steps run in reverse order once, at the end or on interruption; one failing does not stop the rest. */
export class Cleanup {
  private steps: Array<{ what: string; run: () => Promise<void> | void }> = [];

  add(what: string, run: () => Promise<void> | void): void {
    this.steps.push({ what, run });
  }

  async run(): Promise<string[]> {
    const failures: string[] = [];
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      try {
        await step.run();
      } catch (error) {
        failures.push(`${step.what}: ${(error as Error).message}`);
      }
    }
    return failures;
  }
}
