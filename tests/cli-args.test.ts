/**
 * The operator CLIs' command lines. A date that does not exist or has not come yet, a backfill
 * range the wrong way round, an unknown flag or a flag without its value stops `npm run ops` /
 * `npm run jobs` with exit code 2 and a message, and nothing starts on the Temporal server: the
 * CLIs run here as child processes against the test server, on a task queue of their own, and
 * that queue is searched afterwards.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { OperatorDateError, parseOperatorDate } from '../calendar/operator-date';
import { chainRunId, kstToday } from '../shared/chains';
import { parseOpsArgs } from '../scripts/lib/ops-args';
import { eventually } from './helpers/eventually';
import { connectTestClient, temporalAddress } from './helpers/services';

describe('parseOperatorDate', () => {
  const today = '2026-12-07';
  const parse = (text: string) => parseOperatorDate(text, { today, zone: 'KST' });
  const refusal = (text: string) => {
    try {
      parse(text);
    } catch (err) {
      return err as OperatorDateError;
    }
    throw new Error(`${text} was accepted`);
  };

  it('accepts real calendar dates up to today', () => {
    for (const d of ['2024-02-29', '2000-02-29', '2026-01-01', today]) expect(parse(d)).toBe(d);
  });

  it('refuses what is not a calendar date written YYYY-MM-DD', () => {
    for (const text of ['2025-02-29', '2026-02-30', '2026-13-01', '2026-04-31', '1900-02-29', 'yesterday', '20260105', '2026-1-5', ' 2026-01-05', '']) {
      const err = refusal(text);
      expect(err).toBeInstanceOf(OperatorDateError);
      expect(err.kind).toBe('malformed');
      expect(err.message).toBe(`date must be a calendar date written YYYY-MM-DD, got ${JSON.stringify(text)}`);
    }
  });

  it('refuses a date after today, naming today and its zone', () => {
    expect(refusal('2026-12-08')).toMatchObject({ kind: 'future', message: 'date 2026-12-08 is after today (2026-12-07 in KST)' });
    expect(refusal('2199-01-01').message).toBe('date 2199-01-01 is after today (2026-12-07 in KST)');
  });

  it("takes today in Korea from the clock the CLI reads: the day turns at 00:00 KST (15:00 UTC)", () => {
    const at = (instant: string) => ({ today: kstToday(Date.parse(instant)), zone: 'KST' });
    const lastMinute = at('2026-12-06T14:59:00Z'); // 23:59 KST on 12-06
    expect(parseOperatorDate('2026-12-06', lastMinute)).toBe('2026-12-06');
    expect(() => parseOperatorDate('2026-12-07', lastMinute)).toThrow('date 2026-12-07 is after today (2026-12-06 in KST)');
    expect(parseOperatorDate('2026-12-07', at('2026-12-06T15:00:00Z'))).toBe('2026-12-07'); // 00:00 KST on 12-07
  });
});

describe('parseOpsArgs', () => {
  const today = '2026-12-07';

  it('turns a valid command line into the operation it starts', () => {
    expect(parseOpsArgs(['rerun', 'monthly-products', today, '--join'], today)).toEqual({
      command: 'start',
      operation: { workflowType: 'monthlyProducts', workflowId: 'monthly-products-2026-12', args: [{ asOf: today }], onConflict: 'join', chain: 'monthly-products' },
    });
    expect(parseOpsArgs(['backfill', '2026-12-01', today], today)).toMatchObject({ operation: { workflowId: 'ops-price-backfill', args: [{ from: '2026-12-01', to: today }] } });
    expect(parseOpsArgs(['initial-load', '--backfill-days', '30', '--skip=weekly-refresh'], today)).toMatchObject({
      operation: { workflowType: 'initialLoad', args: [{ backfillDays: 30, skip: ['weekly-refresh'] }] },
    });
    expect(parseOpsArgs(['progress', 'daily-collection-2026-12-04', '--watch'], today)).toEqual({ command: 'progress', workflowId: 'daily-collection-2026-12-04', watch: true });
  });

  it("refuses arguments and flags the command does not take", () => {
    expect(() => parseOpsArgs(['rerun', 'daily-collection', today, 'join'], today)).toThrow(/rerun takes <chain> <YYYY-MM-DD>; got \["daily-collection","2026-12-07","join"\]/);
    expect(() => parseOpsArgs(['status', '--join'], today)).toThrow(/status takes no --join/);
  });
});

describe('the CLIs refuse a bad command line with exit code 2 and start nothing', () => {
  let client: Client;
  const taskQueue = `cli-args-test-${randomUUID()}`;

  const cli = (script: 'ops' | 'jobs', ...args: string[]) =>
    new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      const env = { ...process.env, TEMPORAL_ADDRESS: temporalAddress(), TEMPORAL_TASK_QUEUE: taskQueue };
      execFile(process.execPath, ['--import', 'tsx', `scripts/${script}.ts`, ...args], { encoding: 'utf8', env }, (err, stdout, stderr) =>
        resolve({ status: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
    });
  const startedOnQueue = async () => {
    const ids: string[] = [];
    for await (const w of client.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) ids.push(w.workflowId);
    return ids;
  };
  const notFound = async (workflowId: string) => {
    await expect(client.workflow.getHandle(workflowId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  };

  beforeAll(async () => {
    client = await connectTestClient();
  });

  afterAll(async () => {
    await client?.connection.close();
  });

  it.each([
    [['rerun', 'daily-collection', '2026-02-30'], /date must be a calendar date written YYYY-MM-DD, got "2026-02-30"/, chainRunId('daily-collection', '2026-02-30')],
    // The month's id exists for any day of it: the check must come before the id.
    [['rerun', 'monthly-products', '2026-02-30'], /got "2026-02-30"/, 'monthly-products-2026-02'],
    [['rerun', 'daily-collection', '2199-01-01'], /date 2199-01-01 is after today \(\d{4}-\d{2}-\d{2} in KST\)/, chainRunId('daily-collection', '2199-01-01')],
    [['rerun', 'daily-collection', 'yesterday'], /got "yesterday"/, 'daily-collection-yesterday'],
    [['backfill', '2026-03-01', '2026-02-01'], /backfill: <from> 2026-03-01 is after <to> 2026-02-01/, undefined],
    [['backfill', '2026-01-01', '2199-01-01'], /date 2199-01-01 is after today/, undefined],
    [['rerun', 'daily-collection', '2026-01-05', '--force'], /Unknown option '--force'[\s\S]*usage: npm run ops/, chainRunId('daily-collection', '2026-01-05')],
    [['initial-load', '--backfill-days'], /'--backfill-days <value>' argument missing[\s\S]*usage: npm run ops/, undefined],
  ])('ops %j', async (args, message, workflowId) => {
    const r = await cli('ops', ...args);
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    if (workflowId) await notFound(workflowId);
  });

  it.each([
    [['list', '--bogus'], /Unknown option '--bogus'[\s\S]*usage: npm run jobs/],
    [['update', 'buy-scanner', '--set'], /'--set <value>' argument missing[\s\S]*usage: npm run jobs/],
  ])('jobs %j', async (args, message) => {
    const r = await cli('jobs', ...args);
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(2);
  });

  it('nothing reached the task queue, where a valid rerun does show (the control)', async () => {
    expect(await startedOnQueue()).toEqual([]);
    const ok = await cli('ops', 'rerun', 'quarterly-corporate-actions', '2019-05-15');
    expect(ok.stdout).toContain('started quarterly-corporate-actions-2019-Q2');
    expect(ok.status).toBe(0);
    const listed = await eventually(async () => {
      const ids = await startedOnQueue();
      return ids.length ? ids : undefined;
    }, 'the rerun to be listed');
    expect(listed).toEqual(['quarterly-corporate-actions-2019-Q2']);
    await client.workflow.getHandle('quarterly-corporate-actions-2019-Q2').terminate('cli-args test control');
  });
});
