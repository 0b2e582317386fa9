import aslValidator from 'asl-validator';
import { synthesize } from './aws-harness';

/**
 * Every state machine the app synthesizes is valid Amazon States Language (asl-validator's JSON schemas, JSONPath
 * syntax and Resource ARNs), in the default deployment and with non-default build settings. Executing them is
 * test/aws/jobs-under-iam.test.ts's job.
 */
describe('synthesized state machine definitions', () => {
  it.each([
    ['default', {}],
    [
      'one partition and one file at a time, no failure tolerated',
      { buildConcurrency: 1, buildToleratedFailurePercent: 0, historyConcurrency: 1 },
    ],
  ])(
    '%s: valid ASL',
    (_name, overrides) => {
      const t = synthesize(overrides);
      const machines = t.ids('AWS::StepFunctions::StateMachine');
      expect(machines).toHaveLength(2);
      for (const id of machines) {
        const definition = JSON.parse(t.text(t.resource(id).Properties!.DefinitionString));
        const { isValid, errorsText } = aslValidator(definition);
        expect([id, isValid ? '' : errorsText('\n')]).toEqual([id, '']);
      }
    },
    60_000,
  );

  it('asl-validator is live: a state whose Next names no state is refused', () => {
    const t = synthesize();
    const definition = JSON.parse(
      t.text(t.resource(t.one('AWS::StepFunctions::StateMachine', 'JobsBuild')).Properties!.DefinitionString),
    );
    definition.States.PlanGold.Next = 'Nowhere';
    expect(aslValidator(definition).isValid).toBe(false);
  }, 60_000);
});
