/**
 * The jobs worker process with the demo services (workers/jobs-main.ts plus dev/job-services): what
 * `npm run dev`, `npm run jobs-worker:demo` and docker-compose's jobs-worker run. The services read the
 * simulator at SIMULATOR_URL.
 */
import { runJobsWorker } from '../../workers/jobs-main';
import { demoJobServices } from './services';

runJobsWorker((cfg) => demoJobServices({ simulatorUrl: cfg.SIMULATOR_URL }));
