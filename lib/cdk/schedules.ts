import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { JobFunction } from './job-function';
import { acknowledgeWildcardResources } from './nag';

/**
 * EventBridge Scheduler schedules that invoke job functions or start state machines, sharing one role and one
 * dead-letter queue. Each run carries the schedule's own time (`time`), so a retried run works on the same date.
 */
export class JobSchedules extends Construct {
  readonly role: iam.Role;
  readonly schedules: scheduler.Schedule[] = [];

  constructor(
    scope: Construct,
    id: string,
    private readonly deadLetterQueue: sqs.IQueue,
  ) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com') });
  }

  add(
    name: string,
    expression: string,
    job: JobFunction,
    description: string,
    input: Record<string, unknown> = {},
  ): scheduler.Schedule {
    const schedule = this.schedule(name, expression, description, new targets.LambdaInvoke(job.fn, this.targetProps(input)));
    // The target grants invoke on the function and its versions (`:*`).
    acknowledgeWildcardResources(
      this.role,
      [`${job.fn.functionArn}:*`],
      'EventBridge Scheduler invokes this function by ARN; the :* form is how its Lambda target allows its versions and aliases.',
    );
    return schedule;
  }

  addStateMachine(
    name: string,
    expression: string,
    machine: sfn.IStateMachine,
    description: string,
    input: Record<string, unknown> = {},
  ): scheduler.Schedule {
    return this.schedule(
      name,
      expression,
      description,
      new targets.StepFunctionsStartExecution(machine, this.targetProps(input)),
    );
  }

  private targetProps(input: Record<string, unknown>): targets.ScheduleTargetBaseProps {
    return {
      role: this.role,
      input: scheduler.ScheduleTargetInput.fromObject({ ...input, time: scheduler.ContextAttribute.scheduledTime }),
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: 3,
      maxEventAge: Duration.hours(6),
    };
  }

  private schedule(name: string, expression: string, description: string, target: scheduler.IScheduleTarget): scheduler.Schedule {
    const schedule = new scheduler.Schedule(this, name, {
      description,
      schedule: scheduler.ScheduleExpression.expression(expression),
      target,
    });
    this.schedules.push(schedule);
    return schedule;
  }
}
