/**
 * The conversions this project writes itself instead of deep-importing the SDK's `lib/` internals:
 * Durations (shared/duration.ts), protobuf times, and a fetched history as fixture JSON
 * (scripts/lib/history-json.ts), which the replayer must read back.
 */
import { msToNumber } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { historyToJsonObject } from '../scripts/lib/history-json';
import { durationMs, msToTimestamp, timestampMs } from '../shared/duration';

describe('durations', () => {
  // Every form the project writes (workflows/policy.ts, the catalog, activity options), and a few more.
  const forms = ['10s', '30s', '120s', '5s', '10m', '30m', '1 minute', '5 minutes', '10 minutes', '1 hour', '6 hours', '12 hours', '24 hours', '1 day', '7 days', '1.5h', '250ms', '2 weeks', '1 second', '90'];

  it('reads every duration as the SDK does', () => {
    // The SDK's converter is exported for its internal use only; here it is the reference.
    for (const d of forms) expect([d, durationMs(d as Parameters<typeof durationMs>[0])]).toEqual([d, msToNumber(d as Parameters<typeof msToNumber>[0])]);
    expect(durationMs(1500)).toBe(1500);
    expect(durationMs('6 hours')).toBe(6 * 3_600_000);
  });

  it('refuses what is not a duration, naming it', () => {
    expect(() => durationMs('soon' as Parameters<typeof durationMs>[0])).toThrow('not a duration: "soon"');
    expect(() => durationMs('5 fortnights' as Parameters<typeof durationMs>[0])).toThrow(/not a duration/);
  });

  it('writes and reads protobuf times in milliseconds', () => {
    expect(msToTimestamp(1_796_589_713_450)).toEqual({ seconds: 1_796_589_713, nanos: 450_000_000 });
    expect(msToTimestamp(7 * 86_400_000)).toEqual({ seconds: 604_800, nanos: 0 });
    expect(timestampMs(msToTimestamp(1_796_589_713_450))).toBe(1_796_589_713_450);
    // What the gRPC client hands back: seconds as a Long.
    const { ListScheduleMatchingTimesResponse } = temporal.api.workflowservice.v1;
    const long = ListScheduleMatchingTimesResponse.decode(
      ListScheduleMatchingTimesResponse.encode({ startTime: [msToTimestamp(1_796_589_713_005)] }).finish(),
    ).startTime[0]!;
    expect(typeof long.seconds).not.toBe('number');
    expect(timestampMs(long)).toBe(1_796_589_713_005);
  });
});

describe('history JSON', () => {
  const payload = (json: string) => ({ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(json) });
  const { EventType } = temporal.api.enums.v1;
  const at = (s: number, nanos = 0) => ({ seconds: 1_796_589_713 + s, nanos });
  // The whole history of tests/fixtures/returning-workflow.ts: started, one workflow task, completed.
  // fromObject: the typings want Long for int64 fields, which protobufjs makes from these numbers.
  const history = temporal.api.history.v1.History.fromObject({
    events: [
      {
        eventId: 1, eventTime: at(0, 450_366_457), eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, taskId: 1_048_587,
        workflowExecutionStartedEventAttributes: {
          workflowType: { name: 'returnsAtOnce' }, taskQueue: { name: 'q', kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
          input: { payloads: [] }, workflowTaskTimeout: { seconds: 10 }, workflowRunTimeout: { seconds: 600, nanos: 500_000_000 },
          originalExecutionRunId: 'r1', firstExecutionRunId: 'r1', attempt: 1, header: { fields: { trace: payload('"x"') } },
        },
      },
      { eventId: 2, eventTime: at(1), eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, workflowTaskScheduledEventAttributes: { taskQueue: { name: 'q' }, startToCloseTimeout: { seconds: 10 }, attempt: 1 } },
      { eventId: 3, eventTime: at(1, 5_000_000), eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, workflowTaskStartedEventAttributes: { scheduledEventId: 2, requestId: 'x' } },
      { eventId: 4, eventTime: at(1, 9_000_000), eventType: EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, workflowTaskCompletedEventAttributes: { scheduledEventId: 2, startedEventId: 3 } },
      { eventId: 5, eventTime: at(1, 9_000_000), eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, workflowExecutionCompletedEventAttributes: { result: { payloads: [payload('"done"')] }, workflowTaskCompletedEventId: 4 } },
    ],
  });

  it('writes times, durations, int64, enums and bytes as `temporal workflow show --output json` does', () => {
    const json = historyToJsonObject(history) as { events: Array<Record<string, any>> };
    const [started, scheduled, taskStarted] = json.events;
    expect(started).toMatchObject({ eventId: '1', eventTime: '2026-12-06T20:41:53.450366457Z', eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED', taskId: '1048587' });
    expect(started!.workflowExecutionStartedEventAttributes).toMatchObject({
      workflowType: { name: 'returnsAtOnce' }, taskQueue: { name: 'q', kind: 'TASK_QUEUE_KIND_NORMAL' },
      workflowTaskTimeout: '10s', workflowRunTimeout: '600.500s',
      // A map of messages: each value converted too.
      header: { fields: { trace: { metadata: { encoding: 'anNvbi9wbGFpbg==' }, data: Buffer.from('"x"').toString('base64') } } },
    });
    expect(scheduled).toMatchObject({ eventTime: '2026-12-06T20:41:54Z', workflowTaskScheduledEventAttributes: { startToCloseTimeout: '10s' } });
    expect(taskStarted!.eventTime).toBe('2026-12-06T20:41:54.005Z');
  });

  it('is what the replayer reads back, where the messages\' own toJSON is refused', async () => {
    const options = { workflowsPath: require.resolve('./fixtures/returning-workflow') };
    await expect(Worker.runReplayHistory(options, historyToJsonObject(history), 'w')).resolves.toBeUndefined();
    await expect(Worker.runReplayHistory(options, history.toJSON(), 'w')).rejects.toThrow(/expected timestamp string/);
  });
});
